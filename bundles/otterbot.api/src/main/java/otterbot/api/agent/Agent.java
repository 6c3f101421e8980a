package otterbot.api.agent;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * An agent, visible as an OSGi service. The core registers one for every stored agent; an agent-pack bundle
 * registers its own to contribute agents, which then appear in {@code GET /api/agents} while the bundle is active and
 * disappear when it stops. The profile of a contributed agent is normalised by the registry (missing models,
 * artwork and so on get the usual defaults) and is read-only through the API.
 *
 * <p>Register with the service property {@link #AGENT_ID} set to the profile's id.
 */
@ConsumerType
public interface Agent {
  /** Service property: the agent's id. */
  String AGENT_ID = "otterbot.agent.id";

  /**
   * Service property set by the core on the services it registers for stored agents ({@code "store"}); contributed
   * agents leave it out.
   */
  String AGENT_ORIGIN = "otterbot.agent.origin";

  /** The value of {@link #AGENT_ORIGIN} for agents the core stores. */
  String ORIGIN_STORE = "store";

  /** The agent's profile. Called often; return a value, do not compute it. */
  AgentProfile profile();
}
