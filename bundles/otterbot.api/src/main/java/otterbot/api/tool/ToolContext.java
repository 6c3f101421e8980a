package otterbot.api.tool;

import java.util.Map;

import otterbot.api.agent.AgentProfile;

/**
 * Who is calling a tool.
 *
 * @param agent the calling agent
 * @param conversationId the conversation of the turn
 * @param secrets the agent's effective secrets (never return or log them)
 */
public record ToolContext(AgentProfile agent, String conversationId, Map<String, String> secrets) {
  public ToolContext {
    secrets = secrets == null ? Map.of() : Map.copyOf(secrets);
  }

  /** Hides the secrets. */
  @Override
  public String toString() {
    return "ToolContext[agent=" + agent.id() + ", conversationId=" + conversationId + "]";
  }
}
