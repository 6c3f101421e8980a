package otterbot.provider.support;

import java.io.UncheckedIOException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import otterbot.api.provider.ToolSpec;

/** The one JSON mapper of a provider bundle (thread-safe once configured, and costly to create). */
public final class Json {
  // Strict about trailing text: otherwise a plain-text body such as "404 page not found" parses as the number 404.
  public static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private Json() {}

  /** Parses JSON text, or returns null when it is not JSON. */
  public static JsonNode parseOrNull(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  /**
   * A tool's parameter schema as a JSON object; an empty object schema when the tool declares none.
   *
   * @throws IllegalArgumentException when the declared schema is not a JSON object (a bug in the tool, reported to
   *     the user rather than sent to the provider to reject)
   */
  public static JsonNode toolParameters(ToolSpec tool) {
    if (tool.parameters() == null || tool.parameters().isBlank()) {
      ObjectNode empty = MAPPER.createObjectNode().put("type", "object");
      empty.putObject("properties");
      return empty;
    }
    JsonNode schema = parseOrNull(tool.parameters());
    if (schema == null || !schema.isObject()) {
      throw new IllegalArgumentException("the tool " + tool.name() + " declares parameters that are not a JSON object");
    }
    return schema;
  }

  /** Serialises a tree we built; that cannot fail short of a bug. */
  public static byte[] bytes(JsonNode tree) {
    try {
      return MAPPER.writeValueAsBytes(tree);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
