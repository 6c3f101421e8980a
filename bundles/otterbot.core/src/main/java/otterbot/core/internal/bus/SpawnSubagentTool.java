package otterbot.core.internal.bus;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import otterbot.api.OtterbotException;
import otterbot.api.tool.Tool;
import otterbot.api.tool.ToolContext;
import otterbot.api.tool.ToolException;

/** Upstream's {@code spawn_subagent} (§6.2, §6.5), for agents that may spawn subagents. */
@Component(service = Tool.class)
public final class SpawnSubagentTool implements Tool {
  private final SubagentsImpl subagents;

  @Activate
  public SpawnSubagentTool(@Reference SubagentsImpl subagents) {
    this.subagents = subagents;
  }

  @Override
  public String name() {
    return "spawn_subagent";
  }

  @Override
  public String description() {
    return "Starts a short-lived subagent on one goal and returns its findings when it is done.";
  }

  @Override
  public String parameters() {
    return "{\"type\":\"object\",\"properties\":{\"goal\":{\"type\":\"string\","
        + "\"description\":\"what the subagent should find out or do\"}},"
        + "\"required\":[\"goal\"],\"additionalProperties\":false}";
  }

  @Override
  public boolean availableTo(ToolContext context) {
    return context.agent().canSpawnSubagents();
  }

  @Override
  public String invoke(ToolContext context, String arguments) throws ToolException, InterruptedException {
    String goal = Args.text(Args.parse(arguments), "goal");
    try {
      SubagentsImpl.Spawned spawned = subagents.spawn(context.agent().id(), goal);
      return Args.ok().put("subagentId", spawned.subagentId()).put("taskId", spawned.taskId())
          .put("status", spawned.status()).put("summary", spawned.summary()).toString();
    } catch (OtterbotException e) {
      return Args.error(e.getMessage());
    }
  }
}
