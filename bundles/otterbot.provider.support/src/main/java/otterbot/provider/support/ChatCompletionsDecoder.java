package otterbot.provider.support;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

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
