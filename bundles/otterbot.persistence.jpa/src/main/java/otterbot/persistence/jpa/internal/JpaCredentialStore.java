package otterbot.persistence.jpa.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import otterbot.api.OtterbotException;
import otterbot.api.persistence.CredentialStore;

/**
 * The {@code agent_secrets} table: each agent's sealed secrets by key. Values are sealed by the
 * core; they are still kept out of every message and log here: a failed statement's values can surface in driver and
 * EclipseLink messages, so a write masks them in whatever failure it reports.
 */
@Component(service = CredentialStore.class)
public final class JpaCredentialStore implements CredentialStore {
  /** Secret names are environment-variable-like ({@code OPENAI_API_KEY}); this is generous. */
  static final int MAX_KEY_LENGTH = 128;

  private final Transactions db;

  /**
   * Held around replacements in this JVM: two replacements of one agent's set at once would both delete, then both
   * insert, and the second would fail on the primary key instead of winning.
   */
  private final Object lock = new Object();

  /** How many agents' sets {@link #cached} keeps. */
  static final int CACHED_AGENTS = 1024;

  /**
   * The sets read last, still sealed, least recently used first (issue 12: every chat turn reads its agent's set
   * before the model call, and a database read was ~0.7 ms of the time to first token). Only this store writes the
   * table, and every write drops the agent's entry after it commits and counts itself in {@link #writes}; a read that
   * overlapped a write does not keep what it read, so once a write has returned no read answers what it replaced.
   * (Two servers writing one PostgreSQL database would each miss the other's writes; the server does not support that
   * anyway: its agents, scheduler and bus assume one writer.) Guarded by itself.
   */
  private final Map<String, Map<String, String>> cached = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Map<String, String>> eldest) {
      return size() > CACHED_AGENTS;
    }
  };
  /** Writes ended so far (committed or rolled back); guarded by {@link #cached}. */
  private long writes;

  @Activate
  public JpaCredentialStore(@Reference Transactions db) {
    this.db = db;
  }

  /** The agent's sealed secrets by key, in key order. */
  @Override
  public Map<String, String> load(String agentId) {
    Objects.requireNonNull(agentId, "agentId");
    if (agentId.isEmpty() || agentId.length() > JpaConversationStore.MAX_AGENT_ID_LENGTH) {
      return Map.of();
    }
    long seen;
    synchronized (cached) {
      Map<String, String> hit = cached.get(agentId);
      if (hit != null) {
        return hit;
      }
      seen = writes;
    }
    List<SecretEntity> rows = db.read("load the secrets of agent '" + agentId + "'", em -> em
        .createQuery("SELECT s FROM SecretEntity s WHERE s.id.agentId = :agent ORDER BY s.id.key", SecretEntity.class)
        .setParameter("agent", agentId)
        .getResultList());
    Map<String, String> secrets = new LinkedHashMap<>();
    for (SecretEntity row : rows) {
      secrets.put(row.key(), row.sealedValue());
    }
    Map<String, String> loaded = Collections.unmodifiableMap(secrets);
    synchronized (cached) {
      if (writes == seen) {
        cached.put(agentId, loaded);
      }
    }
    return loaded;
  }

  /** Deletes the agent's rows and inserts the new set, in one transaction; an empty set deletes them all. */
  @Override
  public void replace(String agentId, Map<String, String> sealed) {
    Objects.requireNonNull(sealed, "sealed");
    String agent = Validation.validKey("agent id", agentId, JpaConversationStore.MAX_AGENT_ID_LENGTH);
    Map<String, String> rows = new TreeMap<>();
    for (Map.Entry<String, String> entry : sealed.entrySet()) {
      // Messages name the key, never the value.
      String key = Validation.validKey("secret key", entry.getKey(), MAX_KEY_LENGTH);
      if (entry.getValue() == null) {
        throw OtterbotException.invalid("secret '" + key + "' has no value");
      }
      rows.put(key, entry.getValue());
    }
    synchronized (lock) {
      try {
        db.write("replace the secrets of agent '" + agent + "'", List.copyOf(rows.values()), em -> {
          em.createQuery("DELETE FROM SecretEntity s WHERE s.id.agentId = :agent")
              .setParameter("agent", agent)
              .executeUpdate();
          rows.forEach((key, value) -> em.persist(new SecretEntity(agent, key, value)));
          return null;
        });
      } finally {
        // After the commit (or the rollback): the next read sees the table.
        synchronized (cached) {
          cached.remove(agent);
          writes++;
        }
      }
    }
  }

  /** How many agents' sets are cached (for tests). */
  int cachedAgents() {
    synchronized (cached) {
      return cached.size();
    }
  }
}
