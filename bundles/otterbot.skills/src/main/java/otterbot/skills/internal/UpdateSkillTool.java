package otterbot.skills.internal;

import java.util.Optional;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.fasterxml.jackson.databind.JsonNode;

import otterbot.api.OtterbotException;
import otterbot.api.skill.Skill;
import otterbot.api.tool.Tool;
import otterbot.api.tool.ToolContext;
import otterbot.api.tool.ToolException;

/**
 * {@code update_skill {id, body?, appendNote?, description?}} (upstream §6.2): a new body replaces the old one, else a
 * dated note is appended; the skill is scanned again → {@code {ok:true,id}} or {@code {ok:false,reason}}.
 */
@Component(service = Tool.class)
public final class UpdateSkillTool implements Tool {
  private final SkillServiceImpl skills;

  @Activate
  public UpdateSkillTool(@Reference SkillServiceImpl skills) {
    this.skills = skills;
  }

  @Override
  public String name() {
    return "update_skill";
  }

  @Override
  public String description() {
    return "Improve one of your skills: replace its body, or append a note of what you learned, or change its"
        + " description.";
  }

  @Override
  public String parameters() {
    return "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},\"body\":{\"type\":\"string\"},"
        + "\"appendNote\":{\"type\":\"string\"},\"description\":{\"type\":\"string\"}},\"required\":[\"id\"]}";
  }

  @Override
  public String invoke(ToolContext context, String arguments) throws ToolException {
    JsonNode args = SkillTools.arguments(arguments);
    String id = SkillTools.text(args, "id", true);
    try {
      Optional<Skill> updated = skills.update(context.agent().id(), id, SkillTools.text(args, "body", false),
          SkillTools.text(args, "appendNote", false), SkillTools.text(args, "description", false));
      return updated.isPresent()
          ? SkillTools.JSON.createObjectNode().put("ok", true).put("id", id).toString()
          : SkillTools.JSON.createObjectNode().put("ok", false).put("reason", "skill not found").toString();
    } catch (OtterbotException e) {
      throw SkillTools.failure(e);
    }
  }
}
