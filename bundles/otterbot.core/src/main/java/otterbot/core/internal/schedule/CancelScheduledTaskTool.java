package otterbot.core.internal.schedule;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import otterbot.api.schedule.Scheduler;
import otterbot.api.tool.Tool;
import otterbot.api.tool.ToolContext;
import otterbot.api.tool.ToolException;

/**
 * Upstream's {@code cancel_scheduled_task} (§6.2) → {@code {"ok":bool}}. Only the caller's own tasks: another agent's
 * task id gets {@code ok:false}, exactly like an unknown one (upstream let any agent cancel any task).
 */
@Component(service = Tool.class)
public final class CancelScheduledTaskTool implements Tool {
  private final Scheduler scheduler;

  @Activate
  public CancelScheduledTaskTool(@Reference Scheduler scheduler) {
    this.scheduler = scheduler;
  }

  @Override
  public String name() {
    return "cancel_scheduled_task";
  }

  @Override
  public String description() {
    return "Cancels one of your scheduled tasks by its id; it stays listed as disabled.";
  }

  @Override
  public String parameters() {
    return "{\"type\":\"object\",\"properties\":{"
        + "\"id\":{\"type\":\"string\",\"description\":\"the task id from schedule_task or list_scheduled_tasks\"}},"
        + "\"required\":[\"id\"],\"additionalProperties\":false}";
  }

  @Override
  public boolean availableTo(ToolContext context) {
    return TaskJson.mayUse(context);
  }

  @Override
  public String invoke(ToolContext context, String arguments) throws ToolException {
    String id = TaskJson.text(TaskJson.arguments(arguments), "id");
    String caller = context.agent().id();
    boolean own = id != null && scheduler.get(id).map(task -> task.agentId().equals(caller)).orElse(false);
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("ok", own && scheduler.cancel(id));
    return out.toString();
  }
}
