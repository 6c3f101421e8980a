package otterbot.provider.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.core.JsonGenerator;

import otterbot.api.provider.ChatMessage;
import otterbot.api.provider.ChatRequest;
import otterbot.api.provider.ToolCall;
import otterbot.api.provider.ToolSpec;

/** The body of a streamed OpenAI chat-completions request. */
public final class ChatCompletionsRequest {
  /** The history's texts as written before: most of a request is the messages of the turns before it. */
  private static final EscapedTexts TEXTS = new EscapedTexts(EscapedTexts.DEFAULT_MAX_BYTES);

  private ChatCompletionsRequest() {}

  /**
   * @param maxTokensField the name the server expects for the token limit ({@code max_completion_tokens} for OpenAI,
   *     {@code max_tokens} for most others)
   * @throws IllegalArgumentException when a tool's parameters are not a JSON object
   */
  public static byte[] body(ChatRequest request, String maxTokensField) {
    // Written straight to bytes, not built as a tree first: a turn's request carries its whole history window, and the
    // tree (a node per field, then serialised) was most of the time a provider's chat() took before the request went
    // out (issue 12, time to first token).
    var out = new ByteArrayOutputStream(1024 + request.system().length() + 256 * request.messages().size());
    try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("model", request.modelId());
      g.writeBooleanField("stream", true);
      g.writeArrayFieldStart("messages");
      if (!request.system().isEmpty()) {
        g.writeStartObject();
        g.writeStringField("role", "system");
        g.writeStringField("content", request.system());
        g.writeEndObject();
      }
      for (ChatMessage message : request.messages()) {
        write(g, message);
      }
      g.writeEndArray();
      if (!request.tools().isEmpty()) {
        g.writeArrayFieldStart("tools");
        for (ToolSpec tool : request.tools()) {
          g.writeStartObject();
          g.writeStringField("type", "function");
          g.writeObjectFieldStart("function");
          g.writeStringField("name", tool.name());
          g.writeStringField("description", tool.description() == null ? "" : tool.description());
          g.writeFieldName("parameters");
          Json.writeToolParameters(g, tool);
          g.writeEndObject();
          g.writeEndObject();
        }
        g.writeEndArray();
      }
      if (request.maxTokens() > 0) {
        g.writeNumberField(maxTokensField, request.maxTokens());
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does not fail
    }
    return out.toByteArray();
  }

  private static void write(JsonGenerator g, ChatMessage message) throws IOException {
    g.writeStartObject();
    switch (message.role()) {
      case ChatMessage.USER -> {
        g.writeStringField("role", "user");
        g.writeFieldName("content");
        TEXTS.write(g, message.content());
      }
      case ChatMessage.TOOL -> {
        g.writeStringField("role", "tool");
        g.writeStringField("tool_call_id", message.toolCallId());
        g.writeFieldName("content");
        TEXTS.write(g, message.content());
      }
      case ChatMessage.ASSISTANT -> {
        g.writeStringField("role", "assistant");
        if (message.toolCalls().isEmpty()) {
          g.writeFieldName("content");
          TEXTS.write(g, message.content());
          break;
        }
        // With tool calls and no text, OpenAI's own replies carry content null; some servers reject "" there.
        if (message.content().isEmpty()) {
          g.writeNullField("content");
        } else {
          g.writeStringField("content", message.content());
        }
        g.writeArrayFieldStart("tool_calls");
        for (ToolCall call : message.toolCalls()) {
          g.writeStartObject();
          g.writeStringField("id", call.id());
          g.writeStringField("type", "function");
          g.writeObjectFieldStart("function");
          g.writeStringField("name", call.name());
          g.writeStringField("arguments", call.arguments());
          g.writeEndObject();
          g.writeEndObject();
        }
        g.writeEndArray();
      }
      default -> throw new IllegalArgumentException("unknown message role " + message.role());
    }
    g.writeEndObject();
  }
}
