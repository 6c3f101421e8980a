package otterbot.core.internal.tools;

import java.time.Clock;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import org.osgi.service.component.annotations.Component;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import otterbot.api.tool.Tool;
import otterbot.api.tool.ToolContext;

/** Tells the model the current date and time: models do not know it, and users ask. */
@Component(service = Tool.class)
public final class CurrentTimeTool implements Tool {
  private final Clock clock;

  public CurrentTimeTool() {
    this(Clock.systemDefaultZone());
  }

  CurrentTimeTool(Clock clock) {
    this.clock = clock;
  }

  @Override
  public String name() {
    return "get_current_time";
  }

  @Override
  public String description() {
    return "The current date and time: UTC, and local to the server with its time zone.";
  }

  @Override
  public String parameters() {
    return "{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}";
  }

  @Override
  public String invoke(ToolContext context, String arguments) {
    ZonedDateTime local = ZonedDateTime.now(clock);
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("utc", clock.instant().toString());
    out.put("local", local.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    out.put("timeZone", ZoneId.from(local).getId());
    return out.toString();
  }
}
