package otterbot.testsupport;

import java.io.IOException;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import otterbot.api.provider.ToolCall;

/**
 * Anthropic Messages events: {@code message_start}, one content block per text run or tool call
 * ({@code content_block_start}, deltas, {@code content_block_stop}), {@code message_delta} with the stop reason, and
 * {@code message_stop}.
 */
final class AnthropicWire extends WireWriter {
  private int nextBlock;
  private int openBlock = -1;
  private boolean textOpen;

  AnthropicWire(OutputStream out) {
    super(out);
  }

  @Override
  void begin(String model) throws IOException {
    Map<String, Object> message = new HashMap<>();
    message.put("id", "msg_fake");
    message.put("type", "message");
    message.put("role", "assistant");
    message.put("model", model == null ? "" : model);
    message.put("content", List.of());
    message.put("stop_reason", null);
    message.put("usage", Map.of("input_tokens", 1, "output_tokens", 1));
    frame("message_start", Map.of("type", "message_start", "message", message));
    // Anthropic interleaves pings; clients must ignore them.
    frame("ping", Map.of("type", "ping"));
  }

  @Override
  void text(String delta) throws IOException {
    if (!textOpen) {
      open(Map.of("type", "text", "text", ""));
      textOpen = true;
    }
    frame("content_block_delta", Map.of("type", "content_block_delta", "index", openBlock,
        "delta", Map.of("type", "text_delta", "text", delta)));
  }

  @Override
  void toolCallStart(int index, ToolCall call) throws IOException {
    open(Map.of("type", "tool_use", "id", call.id(), "name", call.name(), "input", Map.of()));
    textOpen = false;
  }

  @Override
  void toolCallArguments(int index, String fragment) throws IOException {
    frame("content_block_delta", Map.of("type", "content_block_delta", "index", openBlock,
        "delta", Map.of("type", "input_json_delta", "partial_json", fragment)));
  }

  @Override
  void end(String finishReason) throws IOException {
    closeOpenBlock();
    frame("message_delta", Map.of("type", "message_delta",
        "delta", Map.of("stop_reason", stopReason(finishReason)), "usage", Map.of("output_tokens", 1)));
    frame("message_stop", Map.of("type", "message_stop"));
  }

  @Override
  Object errorBody(String message) {
    return Map.of("type", "error", "error", Map.of("type", "fake_error", "message", message));
  }

  private void open(Map<String, Object> block) throws IOException {
    closeOpenBlock();
    openBlock = nextBlock++;
    frame("content_block_start", Map.of("type", "content_block_start", "index", openBlock, "content_block", block));
  }

  private void closeOpenBlock() throws IOException {
    if (openBlock >= 0) {
      frame("content_block_stop", Map.of("type", "content_block_stop", "index", openBlock));
      openBlock = -1;
    }
  }

  private static String stopReason(String finishReason) {
    return switch (finishReason) {
      case "stop" -> "end_turn";
      case "tool_calls" -> "tool_use";
      case "length" -> "max_tokens";
      default -> finishReason;
    };
  }
}
