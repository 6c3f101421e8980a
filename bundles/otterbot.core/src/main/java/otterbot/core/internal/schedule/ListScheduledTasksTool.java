package otterbot.core.internal.schedule;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import otterbot.api.schedule.ScheduledTask;
import otterbot.api.schedule.Scheduler;
import otterbot.api.tool.Tool;
import otterbot.api.tool.ToolContext;

/** Upstream's {@code list_scheduled_tasks} (§6.2): the calling agent's own tasks, cancelled ones included. */
@Component(service = Tool.class)
public final class ListScheduledTasksTool implements Tool {
  private final Scheduler scheduler;

  @Activate
  public ListScheduledTasksTool(@Reference Scheduler scheduler) {
    this.scheduler = scheduler;
  }

  @Override
  public String name() {
    return "list_scheduled_tasks";
  }

  @Override
  public String description() {
    return "Lists your scheduled tasks: id, cron, prompt, whether it is enabled, last and next run.";
  }

  @Override
  public String parameters() {
    return "{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}";
  }

  @Override
  public boolean availableTo(ToolContext context) {
    return TaskJson.mayUse(context);
  }

  @Override
  public String invoke(ToolContext context, String arguments) {
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    for (ScheduledTask task : scheduler.list(context.agent().id())) {
      out.add(TaskJson.task(task));
    }
    return out.toString();
  }
}
