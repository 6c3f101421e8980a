package otterbot.provider.openai.internal;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import otterbot.api.provider.ToolCall;
import otterbot.provider.support.Failures;
import otterbot.provider.support.GuardedSink;
import otterbot.provider.support.Json;
import otterbot.provider.support.SseEvent;
import otterbot.provider.support.StreamDecoder;

/**
 * Decodes a Responses API stream into the same sink calls the chat-completions decoder makes: text deltas at once,
 * function calls assembled from {@code response.output_item.added}, {@code response.function_call_arguments.delta} /
 * {@code .done} and {@code response.output_item.done} and handed on whole when the response completes;
 * {@code response.completed} ends the step ({@code tool_calls} when calls were made, else {@code stop});
 * {@code response.incomplete} ends it with {@code length}; {@code response.failed} and {@code error} fail it.
 */
final class ResponsesDecoder implements StreamDecoder {
  /** Bounds the calls of one step (a model does not make hundreds; a broken stream could). */
  static final int MAX_TOOL_CALLS = 64;

  private final GuardedSink sink;
  private final Failures failures;
  /** By item id (or output index when the backend sends no id), in the order they started. */
  private final Map<String, PartialCall> calls = new LinkedHashMap<>();

  ResponsesDecoder(GuardedSink sink, Failures failures) {
    this.sink = sink;
    this.failures = failures;
  }

  @Override
  public void onEvent(SseEvent event) throws IOException {
    JsonNode frame = Json.parseOrNull(event.data());
    if (frame == null) {
      if (event.data().strip().equals("[DONE]")) {
        return;
      }
      throw new IOException("not JSON");
    }
    String type = frame.path("type").asText(event.event());
    switch (type) {
      case "response.output_text.delta" -> {
        String delta = frame.path("delta").asText("");
        if (!delta.isEmpty()) {
          sink.text(delta);
        }
      }
      case "response.output_item.added", "response.output_item.done" -> {
        JsonNode item = frame.path("item");
        if ("function_call".equals(item.path("type").textValue())) {
          PartialCall call = call(key(item.path("id").textValue(), frame.path("output_index")));
          if (call != null) {
            call.update(item, type.endsWith(".done"));
          }
        }
      }
      case "response.function_call_arguments.delta" -> {
        PartialCall call = call(key(frame.path("item_id").textValue(), frame.path("output_index")));
        if (call != null) {
          call.arguments.append(frame.path("delta").asText(""));
        }
      }
      case "response.function_call_arguments.done" -> {
        PartialCall call = call(key(frame.path("item_id").textValue(), frame.path("output_index")));
        if (call != null && frame.path("arguments").isTextual()) {
          call.arguments.setLength(0);
          call.arguments.append(frame.path("arguments").textValue());
        }
      }
      case "response.completed" -> finish(calls.isEmpty() ? "stop" : "tool_calls");
      case "response.incomplete" -> finish("length");
      case "response.failed" -> sink.failed(failures.providerError(message(frame.path("response").path("error"))));
      case "error" -> sink.failed(failures.providerError(message(frame)));
      default -> {
        // response.created, .in_progress, reasoning and content-part events carry nothing for the sink.
      }
    }
  }

  @Override
  public void onEnd() {
    // Without response.completed the reply is incomplete; the stream cut failure follows.
  }

  private void finish(String reason) {
    for (PartialCall call : calls.values()) {
      sink.toolCall(call.complete());
    }
    calls.clear();
    sink.completed(reason);
  }

  private static String key(String itemId, JsonNode outputIndex) {
    return itemId != null && !itemId.isEmpty() ? itemId : "#" + outputIndex.asInt(0);
  }

  private PartialCall call(String key) {
    PartialCall call = calls.get(key);
    if (call == null && calls.size() < MAX_TOOL_CALLS) {
      call = new PartialCall();
      calls.put(key, call);
    }
    return call;
  }

  private static String message(JsonNode error) {
    if (error.isTextual()) {
      return error.textValue();
    }
    String message = error.path("message").textValue();
    if (message == null) {
      message = error.path("error").path("message").textValue();
    }
    return message == null ? error.path("code").asText(null) : message;
  }

  private static final class PartialCall {
    private String callId;
    private String name;
    private final StringBuilder arguments = new StringBuilder();

    void update(JsonNode item, boolean done) {
      if (item.hasNonNull("call_id")) {
        callId = item.get("call_id").asText();
      }
      if (item.hasNonNull("name")) {
        name = item.get("name").asText();
      }
      JsonNode args = item.path("arguments");
      if (args.isTextual() && (done || arguments.length() == 0) && !args.textValue().isEmpty()) {
        arguments.setLength(0);
        arguments.append(args.textValue());
      }
    }

    ToolCall complete() {
      String id = callId == null || callId.isEmpty() ? "call_" + UUID.randomUUID().toString().replace("-", "") : callId;
      String args = arguments.toString().isBlank() ? "{}" : arguments.toString();
      return new ToolCall(id, name == null ? "" : name, args);
    }
  }
}
