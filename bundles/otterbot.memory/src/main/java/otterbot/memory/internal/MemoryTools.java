package otterbot.memory.internal;


import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import otterbot.api.OtterbotException;
import otterbot.api.tool.ToolException;

/** What the memory tools share: argument parsing with errors the model can act on. */
final class MemoryTools {
  static final ObjectMapper JSON = new ObjectMapper();

  private MemoryTools() {}

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

  static Integer integer(JsonNode args, String field, int min, int max) throws ToolException {
    JsonNode value = args.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.canConvertToInt() || (value.isFloatingPointNumber() && value.asDouble() != Math.rint(value.asDouble()))) {
      throw new ToolException(field + " must be an integer from " + min + " to " + max);
    }
    int n = value.asInt();
    if (n < min || n > max) {
      throw new ToolException(field + " must be an integer from " + min + " to " + max);
    }
    return n;
  }

  /** Our validation failures are the model's to fix; anything else is an internal failure it cannot fix. */
  static ToolException failure(OtterbotException e) {
    return new ToolException(e.kind() == OtterbotException.Kind.INVALID ? e.getMessage()
        : "memory is not available right now (" + e.kind().name().toLowerCase(java.util.Locale.ROOT) + ")");
  }

  static ObjectNode object() {
    return JSON.createObjectNode();
  }

  static ArrayNode array() {
    return JSON.createArrayNode();
  }
}
