package otterbot.persistence.jpa.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import jakarta.persistence.EntityManager;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import otterbot.api.OtterbotException;
import otterbot.api.memory.MemoryEntry;
import otterbot.api.persistence.MemoryStore;
import otterbot.api.persistence.StoredMemory;

/**
 * The {@code memories} table. Timestamps are kept in UTC to the millisecond (what is read back equals what was
 * written, truncated to milliseconds, on H2 and PostgreSQL alike); embeddings as little-endian float32 bytes, which read
 * back bit for bit.
 *
 * <p>Lists are bounded: a {@code limit} or {@code size} above {@link #MAX_ROWS} returns {@link #MAX_ROWS} rows, a call
 * with more than {@link #MAX_ROWS} ids is refused, and statements with many ids are cut into chunks of {@link #CHUNK}
 * (databases limit the number of bind parameters) that all run in one transaction.
 */
@Component(service = MemoryStore.class, configurationPid = Config.PID)
public final class JpaMemoryStore implements MemoryStore {
  private static final Logger LOG = LoggerFactory.getLogger(JpaMemoryStore.class);

  /** The most rows one call returns. */
  static final int MAX_ROWS = 10_000;
  /** Ids per IN list. */
  static final int CHUNK = 500;
  /** The JSON of {@code entityRefs}. */
  static final int MAX_ENTITY_REFS_LENGTH = 8_000;

  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

  private final Transactions db;
  private final boolean pgvectorAllowed;
  /** Decided at the first use that needs it (the database opens in the background): empty when not used. */
  private volatile Optional<PgVectors> pgvector;
  private final ObjectMapper mapper = JsonMapper.builder().build();

  @Activate
  public JpaMemoryStore(@Reference Transactions db, Config config) {
    this(db, config.pgvector());
  }

  public JpaMemoryStore(Transactions db, boolean pgvectorAllowed) {
    this.db = db;
    this.pgvectorAllowed = pgvectorAllowed && db.kind() == Database.Kind.POSTGRESQL;
    this.pgvector = this.pgvectorAllowed ? null : Optional.empty();
  }

  /** pgvector, when this is PostgreSQL, configuration allows it and the database has it; see {@link PgVectors}. */
  private Optional<PgVectors> pgvector() {
    Optional<PgVectors> decided = pgvector;
    if (decided != null) {
      return decided;
    }
    synchronized (this) {
      if (pgvector == null) {
        pgvector = Optional.ofNullable(PgVectors.open(db)); // a database failure leaves it undecided
      }
      return pgvector;
    }
  }

  @Override
  public boolean searchesVectors() {
    return pgvector().isPresent();
  }

  @Override
  public List<Nearest> nearest(String agentId, String model, float[] vector, int limit) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(vector, "vector");
    if (limit <= 0 || (agentId != null && !Validation.fits(agentId, JpaConversationStore.MAX_AGENT_ID_LENGTH))
        || !Validation.fits(model, MemoryEntity.EMBEDDING_MODEL_LENGTH)) {
      return List.of();
    }
    PgVectors pg = pgvector().orElseThrow(() -> new UnsupportedOperationException("pgvector is not used"));
    return pg.nearest(agentId, model, vector, Math.min(limit, MAX_ROWS));
  }

  /** After the commit: the vector's width gets its pgvector index (once). */
  private static void indexVector(Optional<PgVectors> pg, float[] vector) {
    if (pg.isPresent() && vector != null) {
      pg.get().index(vector.length);
    }
  }

  /** Keeps the pgvector column in step with {@code embedding}, in the caller's transaction. */
  private void writeVector(EntityManager em, Optional<PgVectors> pg, String id, float[] vector) {
    if (pg.isPresent()) {
      em.flush(); // the row must be in the database for the UPDATE to find it
      pg.get().write(em, id, vector);
    }
  }

  @Override
  public void insert(StoredMemory memory, Collection<String> evict) {
    Valid row = valid(memory);
    Set<String> evicted = ids("evicted memory id", evict == null ? List.of() : evict);
    Optional<PgVectors> pg = pgvector();
    db.write("save memory '" + row.id + "'", em -> {
      for (List<String> chunk : chunks(evicted)) {
        em.createQuery("DELETE FROM MemoryEntity m WHERE m.agentId = :agent AND m.id IN :ids")
            .setParameter("agent", row.agentId)
            .setParameter("ids", chunk)
            .executeUpdate();
      }
      if (em.find(MemoryEntity.class, row.id) != null) {
        // Persisting would fail on the key at commit, which reads as a database failure (503).
        throw OtterbotException.conflict("memory '" + row.id + "' exists already");
      }
      MemoryEntity entity = new MemoryEntity(row.id, row.agentId);
      row.copyTo(entity);
      em.persist(entity);
      writeVector(em, pg, row.id, memory.embedding());
      return null;
    });
    indexVector(pg, memory.embedding());
  }

  /** Only a memory of the same agent is replaced: the id alone must not move a memory to another agent. */
  @Override
  public boolean update(StoredMemory memory) {
    Valid row = valid(memory);
    Optional<PgVectors> pg = pgvector();
    boolean updated = db.write("update memory '" + row.id + "'", em -> {
      MemoryEntity entity = em.find(MemoryEntity.class, row.id);
      if (entity == null || !entity.agentId().equals(row.agentId)) {
        return false;
      }
      row.copyTo(entity);
      writeVector(em, pg, row.id, memory.embedding());
      return true;
    });
    if (updated) {
      indexVector(pg, memory.embedding());
    }
    return updated;
  }

  @Override
  public Optional<StoredMemory> get(String id) {
    Objects.requireNonNull(id, "id");
    if (!Validation.fits(id, MemoryEntity.ID_LENGTH)) {
      return Optional.empty(); // could never have been stored
    }
    return db.read("read memory '" + id + "'",
        em -> Optional.ofNullable(em.find(MemoryEntity.class, id)).map(this::memory));
  }

  @Override
  public List<StoredMemory> get(Collection<String> ids) {
    Set<String> wanted = ids("memory id", Objects.requireNonNull(ids, "ids"));
    if (wanted.isEmpty()) {
      return List.of();
    }
    return db.read("read " + wanted.size() + " memories", em -> {
      List<StoredMemory> found = new ArrayList<>();
      for (List<String> chunk : chunks(wanted)) {
        em.createQuery("SELECT m FROM MemoryEntity m WHERE m.id IN :ids", MemoryEntity.class)
            .setParameter("ids", chunk)
            .getResultList()
            .forEach(row -> found.add(memory(row)));
      }
      return List.copyOf(found);
    });
  }

  /** Newest first by update time; of two updated in the same millisecond, the greater id first. */
  @Override
  public List<StoredMemory> newest(String agentId, int limit) {
    if (limit <= 0 || (agentId != null && !Validation.fits(agentId, JpaConversationStore.MAX_AGENT_ID_LENGTH))) {
      return List.of();
    }
    String where = agentId == null ? "" : " WHERE m.agentId = :agent";
    return db.read(agentId == null ? "list the memories" : "list the memories of agent '" + agentId + "'", em -> {
      var query = em.createQuery("SELECT m FROM MemoryEntity m" + where + " ORDER BY m.updatedAt DESC, m.id DESC",
          MemoryEntity.class);
      if (agentId != null) {
        query.setParameter("agent", agentId);
      }
      return query.setMaxResults(Math.min(limit, MAX_ROWS)).getResultList().stream().map(this::memory).toList();
    });
  }

  /**
   * Keyset pagination on the primary key: each page is one index range scan, however deep into the table, where an
   * OFFSET would read and skip every earlier row again.
   */
  @Override
  public List<StoredMemory> page(String afterId, int size) {
    if (size <= 0) {
      return List.of();
    }
    return db.read("read a page of memories", em -> {
      var query = afterId == null
          ? em.createQuery("SELECT m FROM MemoryEntity m ORDER BY m.id", MemoryEntity.class)
          : em.createQuery("SELECT m FROM MemoryEntity m WHERE m.id > :after ORDER BY m.id", MemoryEntity.class)
              .setParameter("after", afterId);
      return query.setMaxResults(Math.min(size, MAX_ROWS)).getResultList().stream().map(this::memory).toList();
    });
  }

  @Override
  public long count(String agentId) {
    Objects.requireNonNull(agentId, "agentId");
    if (!Validation.fits(agentId, JpaConversationStore.MAX_AGENT_ID_LENGTH)) {
      return 0;
    }
    return db.read("count the memories of agent '" + agentId + "'", em -> em
        .createQuery("SELECT COUNT(m) FROM MemoryEntity m WHERE m.agentId = :agent", Long.class)
        .setParameter("agent", agentId)
        .getSingleResult());
  }

  @Override
  public long count() {
    return db.read("count the memories",
        em -> em.createQuery("SELECT COUNT(m) FROM MemoryEntity m", Long.class).getSingleResult());
  }

  /**
   * Two queries in one read rather than one ORDER BY with CASE: the superseded ones by update time, then, if the limit
   * is not reached, the current ones by value. Each is a plain index-friendly sort, and no NULL ordering (which H2 and
   * PostgreSQL disagree on) is involved.
   */
  @Override
  public List<String> leastValuable(String agentId, int limit) {
    Objects.requireNonNull(agentId, "agentId");
    if (limit <= 0 || !Validation.fits(agentId, JpaConversationStore.MAX_AGENT_ID_LENGTH)) {
      return List.of();
    }
    int max = Math.min(limit, MAX_ROWS);
    return db.read("rank the memories of agent '" + agentId + "'", em -> {
      List<String> ids = new ArrayList<>(em.createQuery("SELECT m.id FROM MemoryEntity m"
              + " WHERE m.agentId = :agent AND m.supersededBy IS NOT NULL ORDER BY m.updatedAt, m.id", String.class)
          .setParameter("agent", agentId)
          .setMaxResults(max)
          .getResultList());
      if (ids.size() < max) {
        ids.addAll(em.createQuery("SELECT m.id FROM MemoryEntity m WHERE m.agentId = :agent AND m.supersededBy IS NULL"
                + " ORDER BY m.importance, m.accessCount, COALESCE(m.lastAccessedAt, m.updatedAt), m.id", String.class)
            .setParameter("agent", agentId)
            .setMaxResults(max - ids.size())
            .getResultList());
      }
      return List.copyOf(ids);
    });
  }

  /** Also sets the old memory's update time to {@code at}: it changed then. */
  @Override
  public boolean supersede(String agentId, String oldId, String newId, Instant at) {
    String agent = Validation.validKey("agent id", agentId, JpaConversationStore.MAX_AGENT_ID_LENGTH);
    String old = Validation.validKey("superseded memory id", oldId, MemoryEntity.ID_LENGTH);
    String replacement = Validation.validKey("superseding memory id", newId, MemoryEntity.ID_LENGTH);
    LocalDateTime when = utc(required("time of the supersession", at));
    return db.write("supersede memory '" + old + "'", em -> em
        .createQuery("UPDATE MemoryEntity m SET m.supersededBy = :by, m.updatedAt = :at"
            + " WHERE m.id = :id AND m.agentId = :agent")
        .setParameter("by", replacement)
        .setParameter("at", when)
        .setParameter("id", old)
        .setParameter("agent", agent)
        .executeUpdate() > 0);
  }

  /** One UPDATE per {@link #CHUNK} ids, all in one transaction; an id given twice counts once. */
  @Override
  public void touch(Collection<String> ids, Instant at) {
    Set<String> touched = ids("memory id", Objects.requireNonNull(ids, "ids"));
    LocalDateTime when = utc(required("time of use", at));
    if (touched.isEmpty()) {
      return;
    }
    db.write("record the use of " + touched.size() + " memories", em -> {
      for (List<String> chunk : chunks(touched)) {
        em.createQuery("UPDATE MemoryEntity m SET m.accessCount = m.accessCount + 1, m.lastAccessedAt = :at"
                + " WHERE m.id IN :ids")
            .setParameter("at", when)
            .setParameter("ids", chunk)
            .executeUpdate();
      }
      return null;
    });
  }

  @Override
  public boolean delete(String agentId, String id) {
    Objects.requireNonNull(agentId, "agentId");
    Objects.requireNonNull(id, "id");
    if (!Validation.fits(agentId, JpaConversationStore.MAX_AGENT_ID_LENGTH)
        || !Validation.fits(id, MemoryEntity.ID_LENGTH)) {
      return false;
    }
    return db.write("delete memory '" + id + "'", em -> em
        .createQuery("DELETE FROM MemoryEntity m WHERE m.id = :id AND m.agentId = :agent")
        .setParameter("id", id)
        .setParameter("agent", agentId)
        .executeUpdate() > 0);
  }

  @Override
  public int deleteAll(String agentId) {
    Objects.requireNonNull(agentId, "agentId");
    if (!Validation.fits(agentId, JpaConversationStore.MAX_AGENT_ID_LENGTH)) {
      return 0;
    }
    return db.write("delete the memories of agent '" + agentId + "'", em -> em
        .createQuery("DELETE FROM MemoryEntity m WHERE m.agentId = :agent")
        .setParameter("agent", agentId)
        .executeUpdate());
  }

  // ------------------------------------------------------------------------------------------------------ values

  /** A memory checked and converted to column values. */
  private record Valid(String id, String agentId, String category, String content, String source, int importance,
      int accessCount, LocalDateTime lastAccessedAt, String entityRefs, String temporalMarker,
      LocalDateTime createdAt, LocalDateTime updatedAt, String supersededBy, String embeddingModel, byte[] embedding) {
    void copyTo(MemoryEntity entity) {
      entity.update(category, content, source, importance, accessCount, lastAccessedAt, entityRefs, temporalMarker,
          createdAt, updatedAt, supersededBy, embeddingModel, embedding);
    }
  }

  private Valid valid(StoredMemory m) {
    Objects.requireNonNull(m, "memory");
    String id = Validation.validKey("memory id", m.id(), MemoryEntity.ID_LENGTH);
    String what = "memory '" + id + "'";
    String agent = Validation.validKey("agent of " + what, m.agentId(), JpaConversationStore.MAX_AGENT_ID_LENGTH);
    String category = Validation.validKey("category of " + what, m.category(), MemoryEntity.CATEGORY_LENGTH);
    String content = Validation.validText("content of " + what, m.content(), MemoryEntry.MAX_CONTENT_LENGTH);
    if (content.isBlank()) {
      throw OtterbotException.invalid("content of " + what + " is missing");
    }
    String source = Validation.validKey("source of " + what, m.source(), MemoryEntity.SOURCE_LENGTH);
    if (m.importance() < MemoryEntry.MIN_IMPORTANCE || m.importance() > MemoryEntry.MAX_IMPORTANCE) {
      throw OtterbotException.invalid("importance of " + what + " must be " + MemoryEntry.MIN_IMPORTANCE + " to "
          + MemoryEntry.MAX_IMPORTANCE + ", not " + m.importance());
    }
    if (m.accessCount() < 0) {
      throw OtterbotException.invalid("access count of " + what + " must not be negative");
    }
    String refs = Validation.validText("entity references of " + what, json(m.entityRefs()), MAX_ENTITY_REFS_LENGTH);
    String marker =
        Validation.optionalKey("temporal marker of " + what, m.temporalMarker(), MemoryEntity.TEMPORAL_MARKER_LENGTH);
    String supersededBy =
        Validation.optionalKey("superseding memory of " + what, m.supersededBy(), MemoryEntity.ID_LENGTH);
    String model =
        Validation.optionalKey("embedding model of " + what, m.embeddingModel(), MemoryEntity.EMBEDDING_MODEL_LENGTH);
    float[] vector = m.embedding();
    if ((model == null) != (vector == null)) {
      throw OtterbotException.invalid(what + " must have both an embedding and its model, or neither");
    }
    if (vector != null && (vector.length == 0 || vector.length > MemoryEntity.MAX_DIMENSIONS)) {
      throw OtterbotException.invalid("embedding of " + what + " must have 1 to " + MemoryEntity.MAX_DIMENSIONS
          + " dimensions, not " + vector.length);
    }
    return new Valid(id, agent, category, content, source, m.importance(), m.accessCount(),
        m.lastAccessedAt() == null ? null : utc(m.lastAccessedAt()), refs, marker,
        utc(required("creation time of " + what, m.createdAt())),
        utc(required("update time of " + what, m.updatedAt())),
        supersededBy, model, vector == null ? null : bytes(vector));
  }

  private StoredMemory memory(MemoryEntity row) {
    return new StoredMemory(row.id(), row.agentId(), row.category(), row.content(), row.source(), row.importance(),
        row.accessCount(), instant(row.lastAccessedAt()), strings(row.id(), row.entityRefs()), row.temporalMarker(),
        instant(row.createdAt()), instant(row.updatedAt()), row.supersededBy(), row.embeddingModel(),
        row.embedding() == null ? null : floats(row.embedding()));
  }

  /** Little-endian IEEE 754 single precision, 4 bytes each, raw bits (a NaN keeps its payload). */
  static byte[] bytes(float[] vector) {
    ByteBuffer buffer = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : vector) {
      buffer.putInt(Float.floatToRawIntBits(f));
    }
    return buffer.array();
  }

  static float[] floats(byte[] bytes) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    float[] vector = new float[bytes.length / Float.BYTES];
    for (int i = 0; i < vector.length; i++) {
      vector[i] = Float.intBitsToFloat(buffer.getInt());
    }
    return vector;
  }

  private String json(List<String> strings) {
    try {
      return mapper.writeValueAsString(strings);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a list of strings cannot be written as JSON", e);
    }
  }

  /** A damaged list (edited by hand) must not hide the memory: it reads as empty. */
  private List<String> strings(String id, String json) {
    try {
      return mapper.readValue(json, STRINGS);
    } catch (JsonProcessingException e) {
      LOG.error("The entity references of memory '{}' cannot be read and are left out: {}", id,
          e.getOriginalMessage());
      return List.of();
    }
  }

  /**
   * Distinct ids in their order; ones too long or empty to have been stored are left out, null is refused, and so is
   * a call with more than {@link #MAX_ROWS}: one transaction must not grow without bound.
   */
  private static Set<String> ids(String name, Collection<String> ids) {
    Set<String> distinct = new LinkedHashSet<>();
    for (String id : ids) {
      if (id == null) {
        throw OtterbotException.invalid(name + " is missing");
      }
      if (Validation.fits(id, MemoryEntity.ID_LENGTH)) {
        distinct.add(id);
      }
    }
    if (distinct.size() > MAX_ROWS) {
      throw OtterbotException.invalid("too many memory ids at once (" + distinct.size() + ", at most " + MAX_ROWS
          + ")");
    }
    return distinct;
  }

  private static List<List<String>> chunks(Set<String> ids) {
    List<String> all = List.copyOf(ids);
    List<List<String>> chunks = new ArrayList<>();
    for (int i = 0; i < all.size(); i += CHUNK) {
      chunks.add(all.subList(i, Math.min(all.size(), i + CHUNK)));
    }
    return chunks;
  }

  private static Instant required(String name, Instant value) {
    if (value == null) {
      throw OtterbotException.invalid(name + " is missing");
    }
    return value;
  }

  /** UTC, cut to milliseconds: what the API promises for memories, and what every caller compares against. */
  static LocalDateTime utc(Instant instant) {
    return LocalDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MILLIS), ZoneOffset.UTC);
  }

  static Instant instant(LocalDateTime utc) {
    return utc == null ? null : utc.toInstant(ZoneOffset.UTC);
  }
}
