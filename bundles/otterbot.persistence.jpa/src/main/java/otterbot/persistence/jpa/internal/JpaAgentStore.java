package otterbot.persistence.jpa.internal;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Objects;

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

  /** One transaction for all of them: one commit, one max(position) and one lookup of the existing rows. */
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

  private void write(List<Row> rows) {
    String what = rows.size() == 1 ? "save agent '" + rows.get(0).id() + "'" : "save " + rows.size() + " agents";
    synchronized (insertLock) {
      db.write(what, em -> {
        var existing = new HashMap<String, AgentEntity>();
        if (rows.size() == 1) {
          AgentEntity found = em.find(AgentEntity.class, rows.get(0).id());
          if (found != null) {
            existing.put(found.id(), found);
          }
        } else {
          em.createQuery("SELECT a FROM AgentEntity a WHERE a.id IN :ids", AgentEntity.class)
              .setParameter("ids", rows.stream().map(Row::id).distinct().toList())
              .getResultList()
              .forEach(found -> existing.put(found.id(), found));
        }
        Long last = null;
        for (Row row : rows) {
          AgentEntity entity = existing.get(row.id());
          if (entity != null) {
            entity.update(row.createdAt(), row.json());
          } else {
            if (last == null) {
              Long max = em.createQuery("SELECT MAX(a.position) FROM AgentEntity a", Long.class).getSingleResult();
              last = max == null ? 0 : max;
            }
            entity = new AgentEntity(row.id(), ++last, row.createdAt(), row.json());
            em.persist(entity);
            existing.put(row.id(), entity); // the same id twice in one list: the second replaces the first
          }
        }
        return null;
      });
    }
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
