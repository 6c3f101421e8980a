package otterbot.skills.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import otterbot.api.OtterbotException;
import otterbot.api.skill.Skill;
import otterbot.api.tool.Tool;
import otterbot.api.tool.ToolContext;
import otterbot.api.tool.ToolException;

/** {@code list_skills} (upstream §6.2): the calling agent's skills, {@code [{id,name,description,tags,useCount}]}. */
@Component(service = Tool.class)
public final class ListSkillsTool implements Tool {
  private final SkillServiceImpl skills;

  @Activate
  public ListSkillsTool(@Reference SkillServiceImpl skills) {
    this.skills = skills;
  }

  @Override
  public String name() {
    return "list_skills";
  }

  @Override
  public String description() {
    return "List your skills: reusable know-how you or others wrote down (id, name, description, tags, uses).";
  }

  @Override
  public String parameters() {
    return "{\"type\":\"object\",\"properties\":{}}";
  }

  @Override
  public String invoke(ToolContext context, String arguments) throws ToolException {
    ArrayNode out = SkillTools.JSON.createArrayNode();
    try {
      for (Skill s : skills.list(context.agent().id())) {
        ObjectNode item = out.addObject();
        item.put("id", s.id());
        item.put("name", s.meta().name());
        item.put("description", s.meta().description());
        ArrayNode tags = item.putArray("tags");
        s.meta().tags().forEach(tags::add);
        item.put("useCount", s.useCount());
      }
    } catch (OtterbotException e) {
      throw SkillTools.failure(e);
    }
    return out.toString();
  }
}
