package otterbot.persistence.jpa.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Where the storage keeps its data. Nothing needs to be set: the default is an H2 file database in the server home.
 * To use PostgreSQL, put for example {@code url=jdbc:postgresql://127.0.0.1:5432/otterbot} and {@code user=otterbot}
 * into {@code etc/otterbot.persistence.jpa.cfg} in the server home.
 */
@ObjectClassDefinition(
    id = Config.PID,
    name = "OtterBot storage",
    description = "The database that holds agent profiles, settings, conversations, agents' sealed secrets, the bus,"
        + " scheduled and subagent tasks, agents' memories and learned user profiles: an H2 file database in <home>/db"
        + " by default, or PostgreSQL.")
@interface Config {
  String PID = "otterbot.persistence.jpa";

  @AttributeDefinition(
      name = "JDBC URL",
      description = "jdbc:h2:... or jdbc:postgresql://host:port/database. Empty: the H2 file database"
          + " <home>/db/otterbot. H2 URLs get WRITE_DELAY=0 unless they set it, so that every acknowledged write"
          + " survives a crash of the server process, and embedded ones DB_CLOSE_ON_EXIT=FALSE, so that the storage,"
          + " not H2's exit hook, closes the database when the server stops.")
  String url() default "";

  @AttributeDefinition(
      name = "User",
      description = "Database user. Empty: sa for H2; for PostgreSQL the user parameter of the URL or the driver's"
          + " default.")
  String user() default "";

  /**
   * Written {@code .password} in a configuration file: DS copies every configuration property that does not start
   * with a dot onto the registered services, where any bundle (or a web console) could read it.
   */
  @AttributeDefinition(
      name = "Password",
      type = AttributeType.PASSWORD,
      description = "Database password, as '.password' in the configuration file (the leading dot keeps it out of the"
          + " service registry), or in the environment variable OTTERBOT_DB_PASSWORD. Never logged or shown.")
  String _password() default "";

  @AttributeDefinition(name = "Maximum connections", description = "Size limit of the connection pool.", min = "1")
  int pool_max() default 8;

  @AttributeDefinition(
      name = "Schema",
      description = "Schema that holds the tables (agents, app_settings, conversations, messages, agent_secrets,"
          + " bus_messages, scheduled_tasks, subagent_tasks, memories, user_profiles, conversation_learning);"
          + " created when missing. Empty: the connection's default schema. Letters, digits and _ only.")
  String schema() default "";

  @AttributeDefinition(
      name = "pgvector",
      description = "On PostgreSQL, let the database search memories' vectors with the pgvector extension when it has"
          + " it (or this user may create it): less heap, no in-process vector index. false: vectors are always"
          + " searched in-process. No effect on H2.")
  boolean pgvector() default true;
}
