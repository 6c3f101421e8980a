package otterbot.testsupport;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

/**
 * One request the fake server received, with accessors that read both the OpenAI and the Anthropic request shapes.
 *
 * @param method the HTTP method
 * @param path the request path, for example {@code /v1/chat/completions}
 * @param headers the request headers, names in lower case
 * @param body the parsed JSON body; a {@link MissingNode} when there was none or it was not JSON
 * @param rawBody the body as sent
 */
public record RecordedRequest(
    String method, String path, Map<String, List<String>> headers, JsonNode body, String rawBody) {

  public RecordedRequest {
    headers = Map.copyOf(headers);
  }

  /** The first value of a header, by case-insensitive name, or null. */
  public String header(String name) {
    List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** Whether this is an Anthropic Messages request ({@code /v1/messages}). */
  public boolean isAnthropic() {
    return path.endsWith("/messages");
  }

  /** Whether this is a chat request of either wire format. */
  public boolean isChat() {
    return path.endsWith("/chat/completions") || isAnthropic();
  }

  /** Whether this is an OpenAI embeddings request ({@code /embeddings}). */
  public boolean isEmbeddings() {
    return path.endsWith("/embeddings");
  }

  /** The texts of an embeddings request: its {@code input}, an array of strings or one string. */
  public List<String> inputs() {
    JsonNode input = body.path("input");
    if (input.isTextual()) {
      return List.of(input.textValue());
    }
    List<String> texts = new ArrayList<>();
    input.forEach(text -> texts.add(text.asText()));
    return texts;
  }

  /** The requested model id, or null. */
  public String model() {
    return body.path("model").textValue();
  }

  /** The system prompt: OpenAI's leading {@code system} message or Anthropic's {@code system} field; "" if none. */
  public String system() {
    if (isAnthropic()) {
      return body.path("system").asText("");
    }
    for (JsonNode message : body.path("messages")) {
      if ("system".equals(message.path("role").asText())) {
        return message.path("content").asText("");
      }
    }
    return "";
  }

  /** The messages of the body, in order. */
  public List<JsonNode> messages() {
    List<JsonNode> messages = new ArrayList<>();
    body.path("messages").forEach(messages::add);
    return messages;
  }

  /** The names of the tools offered to the model, in order. */
  public List<String> toolNames() {
    List<String> names = new ArrayList<>();
    for (JsonNode tool : body.path("tools")) {
      names.add(isAnthropic() ? tool.path("name").asText() : tool.path("function").path("name").asText());
    }
    return names;
  }

  /** The text of the newest user message that carries text (tool results do not count); "" if none. */
  public String lastUserText() {
    List<JsonNode> messages = messages();
    for (int i = messages.size() - 1; i >= 0; i--) {
      JsonNode message = messages.get(i);
      if (!"user".equals(message.path("role").asText())) {
        continue;
      }
      String text = text(message.path("content"));
      if (!text.isEmpty()) {
        return text;
      }
    }
    return "";
  }

  /** Whether the request carries any tool result. */
  public boolean hasToolResult() {
    return !toolResults().isEmpty();
  }

  /** The content of the newest tool result, or null when there is none. */
  public String toolResultContent() {
    List<JsonNode> results = toolResults();
    if (results.isEmpty()) {
      return null;
    }
    return text(results.get(results.size() - 1).path("content"));
  }

  /**
   * The tool results in order: OpenAI {@code {"role":"tool",...}} messages or Anthropic {@code tool_result} blocks.
   */
  public List<JsonNode> toolResults() {
    List<JsonNode> results = new ArrayList<>();
    for (JsonNode message : body.path("messages")) {
      if ("tool".equals(message.path("role").asText())) {
        results.add(message);
      }
      for (JsonNode block : message.path("content")) {
        if ("tool_result".equals(block.path("type").asText())) {
          results.add(block);
        }
      }
    }
    return results;
  }

  /** A content value as text: a string, or the joined {@code text} of an array of parts or blocks. */
  private static String text(JsonNode content) {
    if (content.isTextual()) {
      return content.textValue();
    }
    StringBuilder text = new StringBuilder();
    for (JsonNode part : content) {
      if (part.has("text")) {
        text.append(part.path("text").asText());
      }
    }
    return text.toString();
  }
}
