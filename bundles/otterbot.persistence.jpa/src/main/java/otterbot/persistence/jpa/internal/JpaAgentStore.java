package otterbot.persistence.jpa.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import jakarta.persistence.PersistenceException;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import otterbot.api.agent.AgentProfile;
import otterbot.api.persistence.AgentStore;

/** The {@code agents} table: each profile a JSON document, in creation order. */
@Component(service = AgentStore.class)
public final class JpaAgentStore implements AgentStore {
  private static final Logger LOG = LoggerFactory.getLogger(JpaAgentStore.class);

  static final int MAX_ID_LENGTH = 64;

  private final Transactions db;
  private final ProfileCodec codec = new ProfileCodec();

  /**
   * Held around saves, so that two new agents saved at once in this JVM cannot both get max(position)+1. Writes are
   * rare; this costs nothing measurable.
   */
  private final Object insertLock = new Object();

  @Activate
  public JpaAgentStore(@Reference Transactions db) {
    this.db = db;
  }

  @Override
  public List<AgentProfile> loadAll() {
    List<AgentEntity> rows = db.read("load the agents", em -> em
        .createQuery("SELECT a FROM AgentEntity a ORDER BY a.position, a.id", AgentEntity.class)
        .getResultList());
    List<AgentProfile> profiles = new ArrayList<>(rows.size());
    for (AgentEntity row : rows) {
      try {
        profiles.add(codec.decode(row.profileJson()));
      } catch (RuntimeException e) {
        // One damaged row must not take every agent down with it; the row stays for an operator to repair.
        LOG.error("Skipping agent '{}': its stored profile cannot be read: {}", row.id(), e.getMessage());
      }
    }
    return List.copyOf(profiles);
  }

  @Override
  public void save(AgentProfile profile) {
    Objects.requireNonNull(profile, "profile");
    write(List.of(row(profile)));
  }

  /** One transaction for all of them: one commit, and one max(position) for the new ones. */
  @Override
  public void saveAll(List<AgentProfile> profiles) {
    Objects.requireNonNull(profiles, "profiles");
    var rows = new ArrayList<Row>(profiles.size());
    for (AgentProfile profile : profiles) {
      rows.add(row(Objects.requireNonNull(profile, "profile")));
    }
    if (!rows.isEmpty()) {
      write(rows);
    }
  }

  /** A profile checked and encoded, ready to be written. */
  private record Row(String id, LocalDateTime createdAt, String json) {}

  private Row row(AgentProfile profile) {
    String id = Validation.validKey("agent id", profile.id(), MAX_ID_LENGTH);
    String json = Validation.validText("agent profile '" + id + "'", codec.encode(profile));
    LocalDateTime createdAt =
        profile.createdAt() == null ? null : LocalDateTime.ofInstant(profile.createdAt(), ZoneOffset.UTC);
    return new Row(id, createdAt, json);
  }

  /**
   * One transaction for all of {@code rows}, as plain JDBC on its connection (issue 12): for each row an update, and
   * for a row that updated nothing an insert at max(position) + 1, max read once for the list. EclipseLink's unit of
   * work (a lookup of the existing rows, a JPQL max, persisted entities and their change sets) was some 7 % of the CPU
   * a create cost through the public port; what the save does outside H2 is under 2 % now. EclipseLink has no shared
   * cache here (see {@code UnitInfo}), so nothing else has to learn of these rows. Rows in list order: the same id
   * twice in one list inserts the first and the second updates it.
   */
  private void write(List<Row> rows) {
    String what = rows.size() == 1 ? "save agent '" + rows.get(0).id() + "'" : "save " + rows.size() + " agents";
    synchronized (insertLock) {
      db.write(what, em -> {
        try {
          save(em.unwrap(Connection.class), db.qualified("agents"), rows);
        } catch (SQLException e) {
          throw new PersistenceException(e); // JpaDatabase.write answers it as the storage being unavailable
        }
        return null;
      });
    }
  }

  /** Each row updated in place, or inserted at max(position) + 1 when it has none (max read for the first such row). */
  private static void save(Connection connection, String table, List<Row> rows) throws SQLException {
    PreparedStatement insert = null;
    try (PreparedStatement update = connection.prepareStatement(
        "UPDATE " + table + " SET created_at = ?, profile_json = ? WHERE id = ?")) {
      long last = 0;
      for (Row row : rows) {
        bind(update, 1, row.createdAt(), row.json());
        update.setString(3, row.id());
        if (update.executeUpdate() > 0) {
          continue;
        }
        if (insert == null) {
          last = maxPosition(connection, table);
          insert = connection.prepareStatement(
              "INSERT INTO " + table + " (id, position, created_at, profile_json) VALUES (?, ?, ?, ?)");
        }
        insert.setString(1, row.id());
        insert.setLong(2, ++last);
        bind(insert, 3, row.createdAt(), row.json());
        insert.executeUpdate();
      }
    } finally {
      if (insert != null) {
        insert.close();
      }
    }
  }

  private static long maxPosition(Connection connection, String table) throws SQLException {
    try (PreparedStatement max = connection.prepareStatement("SELECT MAX(position) FROM " + table);
        ResultSet row = max.executeQuery()) {
      row.next();
      return row.getLong(1); // 0 for SQL NULL: no agents yet
    }
  }

  /** Sets created_at (which may be null) and profile_json from parameter {@code first} on. */
  private static void bind(PreparedStatement statement, int first, LocalDateTime createdAt, String json)
      throws SQLException {
    if (createdAt == null) {
      statement.setNull(first, Types.TIMESTAMP);
    } else {
      statement.setObject(first, createdAt);
    }
    statement.setString(first + 1, json);
  }

  @Override
  public boolean delete(String id) {
    Objects.requireNonNull(id, "id");
    if (!Validation.fits(id, MAX_ID_LENGTH)) {
      return false; // could never have been saved
    }
    return db.write("delete agent '" + id + "'", em -> em
        .createQuery("DELETE FROM AgentEntity a WHERE a.id = :id")
        .setParameter("id", id)
        .executeUpdate() > 0);
  }
}
