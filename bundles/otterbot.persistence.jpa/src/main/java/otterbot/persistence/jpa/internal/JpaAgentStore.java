package otterbot.persistence.jpa.internal;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
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
    String id = Validation.validKey("agent id", profile.id(), MAX_ID_LENGTH);
    String json = Validation.validText("agent profile '" + id + "'", codec.encode(profile));
    LocalDateTime createdAt =
        profile.createdAt() == null ? null : LocalDateTime.ofInstant(profile.createdAt(), ZoneOffset.UTC);
    synchronized (insertLock) {
      db.write("save agent '" + id + "'", em -> {
        AgentEntity row = em.find(AgentEntity.class, id);
        if (row != null) {
          row.update(createdAt, json);
        } else {
          Long last = em.createQuery("SELECT MAX(a.position) FROM AgentEntity a", Long.class).getSingleResult();
          em.persist(new AgentEntity(id, last == null ? 1 : last + 1, createdAt, json));
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
