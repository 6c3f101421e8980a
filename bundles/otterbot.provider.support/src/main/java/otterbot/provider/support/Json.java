package otterbot.provider.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.core.JsonGenerator;
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

  /**
   * Writes a tool's parameter schema as {@link #toolParameters} gives it, but as the tool's own text where that text
   * was checked before: tools declare the same schema on every turn, and parsing each once per request was a tenth of
   * a chat request's cost.
   *
   * @throws IllegalArgumentException as {@link #toolParameters}
   */
  public static void writeToolParameters(JsonGenerator g, ToolSpec tool) throws IOException {
    String text = tool.parameters();
    if (text != null && CHECKED_SCHEMAS.containsKey(text)) {
      g.writeRawValue(text);
      return;
    }
    JsonNode schema = toolParameters(tool);
    if (text == null || text.isBlank()) {
      g.writeTree(schema);
      return;
    }
    if (CHECKED_SCHEMAS.size() >= MAX_CHECKED_SCHEMAS) {
      CHECKED_SCHEMAS.clear(); // tools come and go with bundles; whatever is still used is checked again
    }
    if (text.length() <= MAX_CHECKED_SCHEMA_LENGTH) {
      CHECKED_SCHEMAS.put(text, Boolean.TRUE);
    }
    // The text itself, not the tree: a checked JSON object (trailing text is refused by the parse).
    g.writeRawValue(text);
  }

  /** Schema texts known to be one JSON object each, as keys; bounded by count and by the length of each. */
  private static final Map<String, Boolean> CHECKED_SCHEMAS = new ConcurrentHashMap<>();
  static final int MAX_CHECKED_SCHEMAS = 512;
  static final int MAX_CHECKED_SCHEMA_LENGTH = 16 * 1024;

  /** Serialises a tree we built; that cannot fail short of a bug. */
  public static byte[] bytes(JsonNode tree) {
    try {
      return MAPPER.writeValueAsBytes(tree);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
