package otterbot.memory.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.fasterxml.jackson.databind.JsonNode;

import otterbot.api.OtterbotException;
import otterbot.api.tool.Tool;
import otterbot.api.tool.ToolContext;
import otterbot.api.tool.ToolException;

/** {@code update_user_profile {bucket, content}} (upstream §6.2): adds or re-confirms an item of the user profile. */
@Component(service = Tool.class)
public final class UpdateUserProfileTool implements Tool {
  private final MemoryServiceImpl memory;

  @Activate
  public UpdateUserProfileTool(@Reference MemoryServiceImpl memory) {
    this.memory = memory;
  }

  @Override
  public String name() {
    return "update_user_profile";
  }

  @Override
  public String description() {
    return "Record what you learned about the user in their profile: a preference, a goal or a fact. Saying"
        + " something already recorded confirms it.";
  }

  @Override
  public String parameters() {
    return "{\"type\":\"object\",\"properties\":{"
        + "\"bucket\":{\"type\":\"string\",\"enum\":[\"preferences\",\"goals\",\"facts\"]},"
        + "\"content\":{\"type\":\"string\"}},"
        + "\"required\":[\"bucket\",\"content\"]}";
  }

  @Override
  public String invoke(ToolContext context, String arguments) throws ToolException {
    JsonNode args = MemoryTools.arguments(arguments);
    String bucket = MemoryTools.text(args, "bucket", true);
    String content = MemoryTools.text(args, "content", true);
    try {
      memory.confirm(context.agent().id(), bucket, content);
      return MemoryTools.object().put("ok", true).toString();
    } catch (OtterbotException e) {
      throw MemoryTools.failure(e);
    }
  }
}
