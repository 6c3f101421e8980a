package otterbot.agentpack.example.internal;

import org.osgi.service.component.annotations.Component;

import otterbot.api.agent.Agent;
import otterbot.api.agent.AgentProfile;

/** Contributes the writer, with its own model defaults. */
@Component(property = Agent.AGENT_ID + "=" + PackAgents.WRITER)
public final class WriterAgent implements Agent {
  private final AgentProfile profile = PackAgents.writer();

  @Override
  public AgentProfile profile() {
    return profile;
  }
}
