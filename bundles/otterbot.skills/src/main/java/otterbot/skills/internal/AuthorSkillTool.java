package otterbot.skills.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.fasterxml.jackson.databind.JsonNode;

import otterbot.api.OtterbotException;
import otterbot.api.skill.Skill;
import otterbot.api.tool.Tool;
import otterbot.api.tool.ToolContext;
import otterbot.api.tool.ToolException;

/** {@code author_skill {name, description, body, tags = []}} (upstream §6.2) → {@code {id, created:true}}. */
@Component(service = Tool.class)
public final class AuthorSkillTool implements Tool {
  private final SkillServiceImpl skills;

  @Activate
  public AuthorSkillTool(@Reference SkillServiceImpl skills) {
    this.skills = skills;
  }

  @Override
  public String name() {
    return "author_skill";
  }

  @Override
  public String description() {
    return "Write down reusable know-how as a skill (a name, a one-line description, and the steps in Markdown), so"
        + " that you apply it next time.";
  }

  @Override
  public String parameters() {
    return "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"description\":{\"type\":\"string\"},"
        + "\"body\":{\"type\":\"string\"},\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}},"
        + "\"required\":[\"name\",\"description\",\"body\"]}";
  }

  @Override
  public String invoke(ToolContext context, String arguments) throws ToolException {
    JsonNode args = SkillTools.arguments(arguments);
    String name = SkillTools.text(args, "name", true);
    String description = SkillTools.text(args, "description", true);
    String body = SkillTools.text(args, "body", true);
    try {
      Skill skill = skills.createAuthored(context.agent().id(), name, description, body,
          SkillTools.strings(args, "tags"));
      return SkillTools.JSON.createObjectNode().put("id", skill.id()).put("created", true).toString();
    } catch (OtterbotException e) {
      throw SkillTools.failure(e);
    }
  }
}
