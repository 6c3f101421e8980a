package otterbot.core.internal.bus;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import otterbot.api.tool.ToolException;

/** Reading the model's tool arguments and writing results. */
final class Args {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Args() {}

  static JsonNode parse(String arguments) throws ToolException {
    try {
      JsonNode node = JSON.readTree(arguments == null || arguments.isBlank() ? "{}" : arguments);
      if (node == null || !node.isObject()) {
        throw new ToolException("the arguments must be a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new ToolException("the arguments are not valid JSON");
    }
  }

  /** A required, non-blank string argument. */
  static String text(JsonNode args, String name) throws ToolException {
    JsonNode value = args.path(name);
    if (!value.isTextual() || value.textValue().isBlank()) {
      throw new ToolException(name + " is required (a non-empty string)");
    }
    return value.textValue().strip();
  }

  static ObjectNode ok() {
    return JsonNodeFactory.instance.objectNode().put("ok", true);
  }

  static String error(String message) {
    return JsonNodeFactory.instance.objectNode().put("ok", false).put("error", message).toString();
  }
}
