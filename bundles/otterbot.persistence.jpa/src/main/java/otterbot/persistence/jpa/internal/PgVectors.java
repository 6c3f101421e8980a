package otterbot.persistence.jpa.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import jakarta.persistence.EntityManager;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import otterbot.api.persistence.MemoryStore;

/**
 * Memories' vectors searched by PostgreSQL with pgvector (issue 9), when the database has the {@code vector}
 * extension or lets this user create it. The {@code embedding} column (float32 bytes) stays the source of truth; a
 * second column, {@code embedding_vec} of pgvector's type, is written beside it in the same transaction, and
 * {@code memories} gets one HNSW index (cosine) per vector width in use, a partial expression index as pgvector
 * recommends for a column whose vectors have different widths. An agent's search filters by agent and model, and
 * PostgreSQL's planner chooses between that index and the agent's own rows in exact order.
 *
 * <p>The extension's type and operators are named with the schema the extension lives in, so they resolve whatever
 * the connection's search path and the memories' schema are.
 */
final class PgVectors {
  private static final Logger LOG = LoggerFactory.getLogger(PgVectors.class);
  /** pgvector indexes vectors of at most this many dimensions; wider ones are searched in exact order. */
  static final int MAX_INDEXED_DIMENSIONS = 2000;
  private static final int BACKFILL_PAGE = 500;
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

  private final Transactions db;
  /** The schema of the extension, e.g. {@code public}. */
  private final String ns;
  private final boolean iterativeScan;
  private final Set<Integer> indexed = ConcurrentHashMap.newKeySet();

  private PgVectors(Transactions db, String ns, boolean iterativeScan) {
    this.db = db;
    this.ns = ns;
    this.iterativeScan = iterativeScan;
  }

  /**
   * pgvector for this database, made ready (column, indexes, vectors of older rows), or null when the database has no
   * pgvector and cannot get it; the reason is logged.
   */
  static PgVectors open(Transactions db) {
    String ns = extensionSchema(db);
    if (ns == null) {
      boolean available = db.read("look for pgvector", em -> !em.createNativeQuery(
          "SELECT 1 FROM pg_available_extensions WHERE name = 'vector'").getResultList().isEmpty());
      if (!available) {
        LOG.info("PostgreSQL has no pgvector extension: memories' vectors are searched in-process");
        return null;
      }
      try {
        db.write("create the pgvector extension", em -> em.createNativeQuery("CREATE EXTENSION IF NOT EXISTS vector")
            .executeUpdate());
      } catch (RuntimeException e) {
        LOG.info("pgvector is installed on the PostgreSQL server but this user cannot enable it ({}); memories'"
            + " vectors are searched in-process. To use it, run CREATE EXTENSION vector in the database as its owner.",
            e.getMessage());
        return null;
      }
      ns = extensionSchema(db);
      if (ns == null) {
        return null;
      }
    }
    if (!NAME.matcher(ns).matches()) {
      LOG.warn("pgvector lives in schema '{}', a name this server does not quote; memories' vectors are searched"
          + " in-process", ns);
      return null;
    }
    String version = db.read("read pgvector's version", em -> (String) em.createNativeQuery(
        "SELECT extversion FROM pg_extension WHERE extname = 'vector'").getSingleResult());
    var vectors = new PgVectors(db, ns, atLeast(version, 0, 8));
    vectors.prepare();
    LOG.info("Memories' vectors are searched by PostgreSQL with pgvector {}", version);
    return vectors;
  }

  private static String extensionSchema(Transactions db) {
    List<?> rows = db.read("look for pgvector", em -> em.createNativeQuery("SELECT n.nspname FROM pg_extension e"
        + " JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'vector'").getResultList());
    return rows.isEmpty() ? null : (String) rows.get(0);
  }

  /** Whether a version such as {@code 0.8.1} is at least major.minor. */
  static boolean atLeast(String version, int major, int minor) {
    String[] parts = version.split("\\.");
    try {
      int ma = Integer.parseInt(parts[0]);
      int mi = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
      return ma > major || (ma == major && mi >= minor);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private void prepare() {
    String table = db.qualified("memories");
    db.write("add the pgvector column to the memories", em -> em.createNativeQuery("ALTER TABLE " + table
        + " ADD COLUMN IF NOT EXISTS embedding_vec " + ns + ".vector").executeUpdate());
    int filled = 0;
    while (true) {
      int page = db.write("give older memories their pgvector column", em -> {
        List<?> rows = em.createNativeQuery("SELECT id, embedding FROM " + table
            + " WHERE embedding IS NOT NULL AND embedding_vec IS NULL ORDER BY id LIMIT " + BACKFILL_PAGE)
            .getResultList();
        // One JDBC batch per page on the transaction's own connection: a statement per row took minutes at 100k.
        Connection connection = em.unwrap(Connection.class);
        try (PreparedStatement update = connection.prepareStatement("UPDATE " + table + " SET embedding_vec = CAST(?"
            + " AS " + ns + ".vector) WHERE id = ?")) {
          for (Object row : rows) {
            Object[] columns = (Object[]) row;
            String literal = literal(JpaMemoryStore.floats((byte[]) columns[1]));
            // A vector pgvector refuses (NaN, infinity) gets a one-dimension placeholder: it is not asked for again,
            // and no search matches it (the width differs), so it is found by its words only.
            update.setString(1, literal == null ? "[0]" : literal);
            update.setString(2, (String) columns[0]);
            update.addBatch();
          }
          update.executeBatch();
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
        return rows.size();
      });
      filled += page;
      if (page < BACKFILL_PAGE) {
        break;
      }
    }
    if (filled > 0) {
      LOG.info("Gave {} memories saved before pgvector was used their pgvector column", filled);
    }
    List<?> widths = db.read("read the memories' vector widths", em -> em.createNativeQuery(
        "SELECT DISTINCT octet_length(embedding) / 4 FROM " + table + " WHERE embedding IS NOT NULL").getResultList());
    for (Object width : widths) {
      index(((Number) width).intValue());
    }
  }

  /**
   * Writes a memory's vector into its pgvector column; in the caller's transaction, after the row is flushed. False,
   * and nothing written, for a vector pgvector cannot hold (NaN or infinite components). The caller then calls
   * {@link #index} after its commit.
   */
  boolean write(EntityManager em, String id, float[] vector) {
    String literal = vector == null ? null : literal(vector);
    if (vector != null && literal == null) {
      return false;
    }
    em.createNativeQuery("UPDATE " + db.qualified("memories") + " SET embedding_vec = CAST(?1 AS " + ns
        + ".vector) WHERE id = ?2").setParameter(1, literal).setParameter(2, id).executeUpdate();
    return true;
  }

  /** pgvector's text form, {@code [1.0,-0.5,...]}; null when a component is NaN or infinite. */
  static String literal(float[] vector) {
    var text = new StringBuilder(vector.length * 12 + 2).append('[');
    for (int i = 0; i < vector.length; i++) {
      if (!Float.isFinite(vector[i])) {
        return null;
      }
      if (i > 0) {
        text.append(',');
      }
      text.append(vector[i]);
    }
    return text.append(']').toString();
  }

  /**
   * Creates the HNSW index for vectors of this width once (IF NOT EXISTS: a no-op on every later start). In a
   * transaction of its own and never inside a write to {@code memories}: CREATE INDEX waits for every open transaction
   * that wrote the table, the caller's included.
   */
  void index(int dimensions) {
    if (dimensions < 1 || dimensions > MAX_INDEXED_DIMENSIONS || indexed.contains(dimensions)) {
      return;
    }
    // One at a time: two CREATE INDEX IF NOT EXISTS of the same name at once may both miss the other's and one fails.
    synchronized (indexed) {
      if (indexed.contains(dimensions)) {
        return;
      }
      String name = "memories_vec_" + dimensions;
      try {
        db.write("index memories' vectors of " + dimensions + " dimensions", em -> em.createNativeQuery(
            "CREATE INDEX IF NOT EXISTS " + name + " ON " + db.qualified("memories") + " USING hnsw (("
                + cast(dimensions) + ") " + ns + ".vector_cosine_ops) WHERE " + width(dimensions)).executeUpdate());
        indexed.add(dimensions);
      } catch (RuntimeException e) {
        // The caller's write is committed: it must not be reported as failed for an index, which only speeds up the
        // search (it runs in exact order without). Tried again at the next write of this width.
        LOG.warn("Could not create the pgvector index {} (searches of {}-dimension vectors run without it): {}", name,
            dimensions, e.getMessage());
      }
    }
  }

  private String cast(int dimensions) {
    return "embedding_vec::" + ns + ".vector(" + dimensions + ")";
  }

  /** The partial index's predicate; a query repeats it word for word so that the planner can use the index. */
  private static String width(int dimensions) {
    return "octet_length(embedding) = " + (dimensions * 4);
  }

  /** See {@link MemoryStore#nearest}. */
  List<MemoryStore.Nearest> nearest(String agentId, String model, float[] vector, int limit) {
    String literal = literal(vector);
    if (literal == null || vector.length > MemoryEntity.MAX_DIMENSIONS) {
      return List.of();
    }
    int d = vector.length;
    // The ORDER BY spells out the indexed expression and pgvector's operator: that is what the index answers.
    String distance = cast(d) + " OPERATOR(" + ns + ".<=>) CAST(?1 AS " + ns + ".vector(" + d + "))";
    String sql = "SELECT id, " + distance + " FROM " + db.qualified("memories")
        + " WHERE " + width(d) + " AND embedding_model = ?2 AND superseded_by IS NULL"
        + (agentId == null ? "" : " AND agent_id = ?3")
        + " ORDER BY " + distance + " LIMIT " + Math.max(1, limit);
    // Each search is a transaction of its own, so that SET LOCAL applies to it alone.
    // - No sort: the plan walks the HNSW index. Left to its statistics (missing or stale where autovacuum is off, as
    //   on this project's build machine) the planner took one agent's rows as a handful and sorted all of them by
    //   distance, reading each vector from TOAST: ~50 ms at 1,000 memories against ~2 ms through the index. Wider
    //   vectors than the index takes are still sorted (the setting only makes a sort the last resort).
    // - pgvector 0.8 goes on scanning the graph until enough rows pass the agent filter, instead of returning the few
    //   of the first 40 it visits.
    return db.write("search memories by vector", em -> {
      em.createNativeQuery("SET LOCAL enable_sort = off").executeUpdate();
      if (iterativeScan) {
        em.createNativeQuery("SET LOCAL hnsw.iterative_scan = relaxed_order").executeUpdate();
      }
      var query = em.createNativeQuery(sql).setParameter(1, literal).setParameter(2, model);
      if (agentId != null) {
        query.setParameter(3, agentId);
      }
      List<MemoryStore.Nearest> found = new ArrayList<>();
      for (Object row : query.getResultList()) {
        Object[] columns = (Object[]) row;
        found.add(new MemoryStore.Nearest((String) columns[0], 1 - ((Number) columns[1]).doubleValue()));
      }
      // relaxed_order may return rows slightly out of order
      found.sort((a, b) -> Double.compare(b.cosine(), a.cosine()));
      return found;
    });
  }
}
