package otterbot.agentpack.example.internal;

import org.osgi.service.component.annotations.Component;

import otterbot.api.agent.Agent;
import otterbot.api.agent.AgentProfile;

/** Contributes the researcher: while this bundle is active, {@code GET /api/agents} lists it. */
@Component(property = Agent.AGENT_ID + "=" + PackAgents.RESEARCHER)
public final class ResearcherAgent implements Agent {
  private final AgentProfile profile = PackAgents.researcher();

  @Override
  public AgentProfile profile() {
    return profile;
  }
}
