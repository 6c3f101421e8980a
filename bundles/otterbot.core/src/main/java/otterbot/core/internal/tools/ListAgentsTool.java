package otterbot.core.internal.tools;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.AgentRegistry;
import otterbot.api.agent.AgentSummary;
import otterbot.api.tool.Tool;
import otterbot.api.tool.ToolContext;

/**
 * Upstream's {@code list_agents} (§6.2): every other agent with a one-line summary of its persona, so that a model
 * knows whom it could hand work to.
 */
@Component(service = Tool.class)
public final class ListAgentsTool implements Tool {
  static final int SUMMARY_LENGTH = 140;
  private final AgentRegistry agents;

  @Activate
  public ListAgentsTool(@Reference AgentRegistry agents) {
    this.agents = agents;
  }

  @Override
  public String name() {
    return "list_agents";
  }

  @Override
  public String description() {
    return "Lists the other agents of this OtterBot server: id, display name, role and a one-line summary.";
  }

  @Override
  public String parameters() {
    return "{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}";
  }

  @Override
  public String invoke(ToolContext context, String arguments) {
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    for (AgentSummary summary : agents.list()) {
      if (summary.id().equals(context.agent().id())) {
        continue;
      }
      AgentProfile profile = agents.get(summary.id()).orElse(null);
      if (profile == null) {
        continue; // deleted while we listed
      }
      ObjectNode agent = out.addObject();
      agent.put("id", profile.id());
      agent.put("displayName", profile.displayName());
      agent.put("role", profile.role());
      agent.put("summary", summary(profile.persona()));
    }
    return out.toString();
  }

  /** The first non-blank line of the persona, cut to {@value #SUMMARY_LENGTH} characters (as upstream). */
  static String summary(String persona) {
    if (persona == null) {
      return "";
    }
    for (String line : persona.split("\\R")) {
      if (!line.isBlank()) {
        String s = line.strip();
        return s.length() > SUMMARY_LENGTH ? s.substring(0, SUMMARY_LENGTH) : s;
      }
    }
    return "";
  }
}
