package otterbot.core.internal.schedule;

import java.time.Instant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import otterbot.api.agent.AgentProfile;
import otterbot.api.schedule.ScheduledTask;
import otterbot.api.tool.ToolContext;
import otterbot.api.tool.ToolException;

/** What the scheduling tools share: reading the model's arguments and writing tasks as upstream's JSON rows. */
final class TaskJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TaskJson() {}

  /** The arguments object; an empty or missing text counts as {@code {}}. */
  static JsonNode arguments(String arguments) throws ToolException {
    try {
      JsonNode node = JSON.readTree(arguments == null || arguments.isBlank() ? "{}" : arguments);
      if (node == null || !node.isObject()) {
        throw new ToolException("arguments must be a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new ToolException("arguments must be a JSON object");
    }
  }

  /** A text argument, or null when it is missing or not a string. */
  static String text(JsonNode arguments, String name) {
    JsonNode value = arguments.get(name);
    return value != null && value.isTextual() ? value.asText() : null;
  }

  /** {@code {id, agentId, cron, prompt, enabled, lastRunAt, nextRunAt}}, times as ISO-8601 or null (§3.5). */
  static ObjectNode task(ScheduledTask task) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("id", task.id());
    out.put("agentId", task.agentId());
    out.put("cron", task.cron());
    out.put("prompt", task.prompt());
    out.put("enabled", task.enabled());
    out.put("lastRunAt", iso(task.lastRunAt()));
    out.put("nextRunAt", iso(task.nextRunAt()));
    return out;
  }

  static String iso(Instant time) {
    return time == null ? null : time.toString();
  }

  /**
   * Subagents do not get the scheduling tools: they are retired when their task is done, and a schedule would outlive
   * them.
   */
  static boolean mayUse(ToolContext context) {
    return !AgentProfile.ROLE_SUBAGENT.equals(context.agent().role());
  }
}
