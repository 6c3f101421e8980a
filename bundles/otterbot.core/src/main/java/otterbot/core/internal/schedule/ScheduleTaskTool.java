package otterbot.core.internal.schedule;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import otterbot.api.OtterbotException;
import otterbot.api.schedule.ScheduledTask;
import otterbot.api.schedule.Scheduler;
import otterbot.api.tool.Tool;
import otterbot.api.tool.ToolContext;
import otterbot.api.tool.ToolException;

/**
 * Upstream's {@code schedule_task} (§6.2): the calling agent schedules a prompt for itself →
 * {@code {"ok":true,"id":..,"nextRunAt":..}} or {@code {"ok":false,"error":"Invalid cron expression: <cron>"}}.
 */
@Component(service = Tool.class)
public final class ScheduleTaskTool implements Tool {
  private final Scheduler scheduler;

  @Activate
  public ScheduleTaskTool(@Reference Scheduler scheduler) {
    this.scheduler = scheduler;
  }

  @Override
  public String name() {
    return "schedule_task";
  }

  @Override
  public String description() {
    return "Schedules a prompt for yourself to run repeatedly on a cron schedule, in the server's local time. Each run"
        + " is a new request to you with the prompt as its text. Cron: 5 fields (minute hour day-of-month month"
        + " day-of-week, e.g. '0 9 * * 1-5' for 09:00 on weekdays) or 6 with seconds first.";
  }

  @Override
  public String parameters() {
    return "{\"type\":\"object\",\"properties\":{"
        + "\"cron\":{\"type\":\"string\",\"description\":\"cron expression, 5 fields or 6 with seconds first\"},"
        + "\"prompt\":{\"type\":\"string\",\"description\":\"what to do at each run, as a message to yourself\"}},"
        + "\"required\":[\"cron\",\"prompt\"],\"additionalProperties\":false}";
  }

  @Override
  public boolean availableTo(ToolContext context) {
    return TaskJson.mayUse(context);
  }

  @Override
  public String invoke(ToolContext context, String arguments) throws ToolException {
    JsonNode args = TaskJson.arguments(arguments);
    String cron = TaskJson.text(args, "cron");
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    try {
      ScheduledTask task = scheduler.add(context.agent().id(), cron, TaskJson.text(args, "prompt"));
      out.put("ok", true);
      out.put("id", task.id());
      out.put("nextRunAt", TaskJson.iso(task.nextRunAt()));
    } catch (OtterbotException e) {
      out.put("ok", false);
      boolean badCron = e.kind() == OtterbotException.Kind.INVALID && "invalid cron expression".equals(e.getMessage());
      out.put("error", badCron ? "Invalid cron expression: " + cron : e.getMessage());
    }
    return out.toString();
  }
}
