package otterbot.provider.anthropic.internal;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import otterbot.api.provider.ToolCall;
import otterbot.provider.support.Failures;
import otterbot.provider.support.GuardedSink;
import otterbot.provider.support.Json;
import otterbot.provider.support.SseEvent;
import otterbot.provider.support.StreamDecoder;

/**
 * Decodes an Anthropic Messages stream: text deltas go to the sink at once; a {@code tool_use} block collects its
 * {@code input_json_delta} pieces and becomes a tool call when the block stops; {@code message_stop} ends the step
 * with the {@code stop_reason} of {@code message_delta}, in the OpenAI terms the server uses.
 */
final class MessagesDecoder implements StreamDecoder {
  private final GuardedSink sink;
  private final Failures failures;
  /** Open tool_use blocks by content-block index. */
  private final Map<Integer, ToolUse> toolUses = new HashMap<>();
  private String stopReason;

  MessagesDecoder(GuardedSink sink, Failures failures) {
    this.sink = sink;
    this.failures = failures;
  }

  @Override
  public void onEvent(SseEvent event) throws IOException {
    JsonNode data = Json.parseOrNull(event.data());
    if (data == null) {
      if (event.event().equals("error")) {
        sink.failed(failures.providerError(event.data()));
        return;
      }
      throw new IOException("not JSON");
    }
    int index = data.path("index").asInt();
    switch (data.path("type").asText(event.event())) {
      case "content_block_start" -> {
        JsonNode block = data.path("content_block");
        if (block.path("type").asText().equals("tool_use")) {
          toolUses.put(index, new ToolUse(block));
        } else {
          text(block.path("text"));
        }
      }
      case "content_block_delta" -> {
        JsonNode delta = data.path("delta");
        switch (delta.path("type").asText()) {
          case "text_delta" -> text(delta.path("text"));
          case "input_json_delta" -> {
            ToolUse toolUse = toolUses.get(index);
            if (toolUse != null) {
              toolUse.arguments.append(delta.path("partial_json").asText());
            }
          }
          default -> { } // thinking and signature deltas are not shown
        }
      }
      case "content_block_stop" -> {
        ToolUse toolUse = toolUses.remove(index);
        if (toolUse != null) {
          sink.toolCall(toolUse.complete());
        }
      }
      case "message_delta" -> {
        String reason = data.path("delta").path("stop_reason").textValue();
        if (reason != null) {
          stopReason = reason;
        }
      }
      case "message_stop" -> sink.completed(finishReason(stopReason));
      case "error" -> sink.failed(failures.providerError(Failures.errorMessage(data)));
      default -> { } // message_start, ping, and event types added to the API later
    }
  }

  @Override
  public void onEnd() {
    // Only message_stop completes a step; a stream that ends before it was cut.
  }

  private void text(JsonNode text) {
    if (text.isTextual() && !text.textValue().isEmpty()) {
      sink.text(text.textValue());
    }
  }

  /** Anthropic's stop reasons in the OpenAI terms the rest of the server reads; others pass through. */
  static String finishReason(String stopReason) {
    if (stopReason == null) {
      return null;
    }
    return switch (stopReason) {
      case "end_turn", "stop_sequence" -> "stop";
      case "tool_use" -> "tool_calls";
      case "max_tokens" -> "length";
      default -> stopReason;
    };
  }

  /** A tool_use block being received. */
  private static final class ToolUse {
    private final String id;
    private final String name;
    /** The input sent whole in content_block_start; streamed input starts there as {} and comes as deltas. */
    private final JsonNode initialInput;
    private final StringBuilder arguments = new StringBuilder();

    ToolUse(JsonNode block) {
      this.id = block.path("id").asText();
      this.name = block.path("name").asText();
      this.initialInput = block.path("input");
    }

    ToolCall complete() {
      if (!arguments.toString().isBlank()) {
        return new ToolCall(id, name, arguments.toString());
      }
      return new ToolCall(id, name, initialInput.isObject() ? initialInput.toString() : "{}");
    }
  }
}
