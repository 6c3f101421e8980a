package otterbot.persistence.jpa.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import otterbot.api.agent.AgentProfile;
import otterbot.api.health.Health;
import otterbot.api.orchestration.AgentMessage;
import otterbot.api.persistence.StoredMessage;

/**
 * What DS assembles in the server, built by hand for tests outside OSGi: one {@link JpaDatabase} and every store
 * component on it. The methods of the stores whose names do not clash are repeated here so that a test reads like a
 * user of the storage; the others are reached through the store fields.
 */
final class Storage {
  final JpaDatabase database;
  final JpaAgentStore agents;
  final JpaSettingsStore settings;
  final JpaConversationStore conversations;
  final JpaCredentialStore credentials;
  final JpaBusStore bus;
  final JpaScheduleStore schedules;
  final JpaSubagentTaskStore subagentTasks;
  final JpaMemoryStore memories;
  final JpaProfileStore profiles;
  final JpaSkillStore skills;

  /** Opens the database synchronously, like the component's first caller would wait for it. */
  Storage(Database db) {
    this(new JpaDatabase(db), true);
  }

  Storage(JpaDatabase database) {
    this(database, true);
  }

  /** @param pgvector whether the memory store may use pgvector on PostgreSQL (its configuration) */
  Storage(JpaDatabase database, boolean pgvector) {
    this.database = database;
    this.agents = new JpaAgentStore(database);
    this.settings = new JpaSettingsStore(database);
    this.conversations = new JpaConversationStore(database);
    this.credentials = new JpaCredentialStore(database);
    this.bus = new JpaBusStore(database);
    this.schedules = new JpaScheduleStore(database);
    this.subagentTasks = new JpaSubagentTaskStore(database);
    this.memories = new JpaMemoryStore(database, pgvector);
    this.profiles = new JpaProfileStore(database);
    this.skills = new JpaSkillStore(database);
  }

  JpaScheduleStore schedules() {
    return schedules;
  }

  JpaSubagentTaskStore subagentTasks() {
    return subagentTasks;
  }

  JpaMemoryStore memories() {
    return memories;
  }

  JpaProfileStore profiles() {
    return profiles;
  }

  JpaSkillStore skills() {
    return skills;
  }

  List<AgentProfile> loadAll() {
    return agents.loadAll();
  }

  void save(AgentProfile profile) {
    agents.save(profile);
  }

  boolean delete(String agentId) {
    return agents.delete(agentId);
  }

  Optional<String> get(String key) {
    return settings.get(key);
  }

  void put(String key, String value) {
    settings.put(key, value);
  }

  Optional<String> owner(String conversationId) {
    return conversations.owner(conversationId);
  }

  void append(String agentId, StoredMessage message) {
    conversations.append(agentId, message);
  }

  List<StoredMessage> messages(String conversationId) {
    return conversations.messages(conversationId);
  }

  /** The conversations' {@code deleteAll}, as the old all-in-one component had it. */
  int deleteAll(String agentId) {
    return conversations.deleteAll(agentId);
  }

  Map<String, String> load(String agentId) {
    return credentials.load(agentId);
  }

  void replace(String agentId, Map<String, String> sealed) {
    credentials.replace(agentId, sealed);
  }

  AgentMessage append(AgentMessage message) {
    return bus.append(message);
  }

  List<AgentMessage> last(int limit) {
    return bus.last(limit);
  }

  Health check() {
    return database.check();
  }

  void close() {
    database.close();
  }
}
