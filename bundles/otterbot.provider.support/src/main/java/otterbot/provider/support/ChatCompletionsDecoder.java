package otterbot.provider.support;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;

import otterbot.api.provider.ToolCall;

/**
 * Decodes an OpenAI chat-completions stream: {@code choices[0].delta.content} becomes text at once; tool calls arrive
 * in pieces keyed by {@code index} and are handed on whole when the step finishes; {@code finish_reason} and
 * {@code [DONE]} end the step.
 */
public final class ChatCompletionsDecoder implements StreamDecoder {
  private final GuardedSink sink;
  private final Failures failures;
  private final Map<Integer, PartialToolCall> toolCalls = new TreeMap<>();
  private String finishReason;

  public ChatCompletionsDecoder(GuardedSink sink, Failures failures) {
    this.sink = sink;
    this.failures = failures;
  }

  @Override
  public void onEvent(SseEvent event) throws IOException {
    if (event.data().strip().equals("[DONE]")) {
      finish();
      return;
    }
    if (!event.event().equals("error")) {
      Frame frame = plainFrame(event.data());
      if (frame != null) {
        if (frame.content != null && !frame.content.isEmpty()) {
          sink.text(frame.content);
        }
        if (frame.finishReason != null) {
          finishReason = frame.finishReason;
          emitToolCalls();
        }
        return;
      }
    }
    onTree(event);
  }

  /** What a plain frame says: its text and finish reason, each null when absent. */
  static final class Frame {
    String content;
    String finishReason;
  }

  /**
   * Reads a frame that carries only text and a finish reason (nearly every frame of a reply: one per token) without
   * building a tree: that parse was the largest part of relaying a token (issue 12). Anything else, such as an error,
   * tool calls, a field twice, a value of an unexpected type or text that is not JSON, answers null, and the frame
   * is read as a tree by {@link #onTree}, which then decides exactly as before.
   */
  static Frame plainFrame(String data) {
    try (JsonParser p = Json.MAPPER.getFactory().createParser(data)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      var frame = new Frame();
      boolean choices = false;
      boolean error = false;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if (name.equals("choices")) {
          if (choices || value != JsonToken.START_ARRAY) {
            return null;
          }
          choices = true;
          JsonToken first = p.nextToken();
          if (first == JsonToken.START_OBJECT) {
            if (!readChoice(p, frame)) {
              return null;
            }
            for (JsonToken next = p.nextToken(); next != JsonToken.END_ARRAY; next = p.nextToken()) {
              if (next == null) {
                return null; // the text ended inside the array
              }
              p.skipChildren(); // later choices: only the first is read, as by the tree
            }
          } else if (first != JsonToken.END_ARRAY) {
            return null;
          }
        } else if (name.equals("error")) {
          if (error || value != JsonToken.VALUE_NULL) {
            return null;
          }
          error = true;
        } else {
          p.skipChildren();
        }
      }
      // The mapper refuses trailing text; so does this.
      return p.currentToken() == JsonToken.END_OBJECT && p.nextToken() == null ? frame : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The first choice, after its START_OBJECT: false when it holds anything {@link #plainFrame} leaves to the tree. */
  private static boolean readChoice(JsonParser p, Frame frame) throws IOException {
    boolean delta = false;
    boolean reason = false;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      if (name.equals("delta")) {
        if (delta || value != JsonToken.START_OBJECT || !readDelta(p, frame)) {
          return false;
        }
        delta = true;
      } else if (name.equals("finish_reason")) {
        if (reason || (value != JsonToken.VALUE_STRING && value != JsonToken.VALUE_NULL)) {
          return false;
        }
        reason = true;
        frame.finishReason = value == JsonToken.VALUE_STRING ? p.getText() : null;
      } else {
        p.skipChildren();
      }
    }
    return true;
  }

  /** The delta, after its START_OBJECT: its text; false for tool calls or text of another type. */
  private static boolean readDelta(JsonParser p, Frame frame) throws IOException {
    boolean content = false;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      if (name.equals("content")) {
        if (content || (value != JsonToken.VALUE_STRING && value != JsonToken.VALUE_NULL)) {
          return false;
        }
        content = true;
        frame.content = value == JsonToken.VALUE_STRING ? p.getText() : null;
      } else if (name.equals("tool_calls")) {
        if (value != JsonToken.VALUE_NULL) {
          return false;
        }
      } else {
        p.skipChildren();
      }
    }
    return true;
  }

  /** Reads a frame as a tree: every frame the plain reading leaves alone. */
  void onTree(SseEvent event) throws IOException {
    JsonNode frame = Json.parseOrNull(event.data());
    if (frame == null) {
      if (event.event().equals("error")) {
        sink.failed(failures.providerError(event.data()));
        return;
      }
      throw new IOException("not JSON");
    }
    if (event.event().equals("error") || frame.hasNonNull("error")) {
      sink.failed(failures.providerError(Failures.errorMessage(frame)));
      return;
    }
    // Frames with no choice (a usage summary) carry nothing for the sink.
    JsonNode choice = frame.path("choices").path(0);
    JsonNode delta = choice.path("delta");
    JsonNode content = delta.path("content");
    if (content.isTextual() && !content.textValue().isEmpty()) {
      sink.text(content.textValue());
    }
    JsonNode parts = delta.path("tool_calls");
    for (int position = 0; position < parts.size(); position++) {
      JsonNode part = parts.get(position);
      // Servers that send each call whole sometimes leave out the index; its position then identifies it.
      int index = part.path("index").asInt(position);
      toolCalls.computeIfAbsent(index, i -> new PartialToolCall()).add(part);
    }
    String reason = choice.path("finish_reason").textValue();
    if (reason != null) {
      finishReason = reason;
      emitToolCalls();
    }
  }

  @Override
  public void onEnd() {
    // Some servers end the stream after the finish frame without [DONE]; the reply is complete all the same.
    if (finishReason != null) {
      finish();
    }
  }

  private void finish() {
    emitToolCalls();
    sink.completed(finishReason);
  }

  private void emitToolCalls() {
    for (PartialToolCall call : toolCalls.values()) {
      sink.toolCall(call.complete());
    }
    toolCalls.clear();
  }

  /** A tool call being assembled from its stream fragments. */
  private static final class PartialToolCall {
    private String id;
    private String name;
    private final StringBuilder arguments = new StringBuilder();

    void add(JsonNode part) {
      if (part.hasNonNull("id")) {
        id = part.get("id").asText();
      }
      JsonNode function = part.path("function");
      if (function.hasNonNull("name")) {
        name = function.get("name").asText();
      }
      JsonNode fragment = function.path("arguments");
      if (fragment.isTextual()) {
        arguments.append(fragment.textValue());
      } else if (fragment.isObject()) {
        // A few servers send the arguments as a JSON object instead of a string.
        arguments.append(fragment);
      }
    }

    ToolCall complete() {
      // Some local servers send no id; the result must still be matched to its call, so make one up.
      String callId = id == null || id.isEmpty() ? "call_" + UUID.randomUUID().toString().replace("-", "") : id;
      String args = arguments.toString().isBlank() ? "{}" : arguments.toString();
      return new ToolCall(callId, name == null ? "" : name, args);
    }
  }
}
