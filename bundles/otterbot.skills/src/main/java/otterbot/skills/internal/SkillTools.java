package otterbot.skills.internal;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import otterbot.api.OtterbotException;
import otterbot.api.tool.ToolException;

/** Argument parsing for the skill tools, with errors the model can act on. */
final class SkillTools {
  static final ObjectMapper JSON = new ObjectMapper();

  private SkillTools() {}

  static JsonNode arguments(String arguments) throws ToolException {
    try {
      JsonNode node = JSON.readTree(arguments == null || arguments.isBlank() ? "{}" : arguments);
      if (!node.isObject()) {
        throw new ToolException("the arguments must be a JSON object");
      }
      return node;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new ToolException("the arguments are not valid JSON");
    }
  }

  static String text(JsonNode args, String field, boolean required) throws ToolException {
    JsonNode value = args.get(field);
    if (value == null || value.isNull()) {
      if (required) {
        throw new ToolException(field + " is required");
      }
      return null;
    }
    if (!value.isTextual()) {
      throw new ToolException(field + " must be a string");
    }
    if (required && value.asText().isBlank()) {
      throw new ToolException(field + " is required");
    }
    return value.asText();
  }

  static List<String> strings(JsonNode args, String field) throws ToolException {
    JsonNode value = args.get(field);
    var out = new ArrayList<String>();
    if (value == null || value.isNull()) {
      return out;
    }
    if (!value.isArray()) {
      throw new ToolException(field + " must be an array of strings");
    }
    for (JsonNode item : value) {
      if (!item.isTextual()) {
        throw new ToolException(field + " must be an array of strings");
      }
      out.add(item.asText());
    }
    return out;
  }

  static ToolException failure(OtterbotException e) {
    return new ToolException(e.kind() == OtterbotException.Kind.INVALID || e.kind() == OtterbotException.Kind.CONFLICT
        ? e.getMessage() : "skills are not available right now");
  }
}
