package otterbot.testsupport;

import java.io.IOException;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import otterbot.api.provider.ToolCall;

/** OpenAI chat-completions chunks: {@code choices[0].delta} frames, a finish frame, then {@code [DONE]}. */
final class OpenAiWire extends WireWriter {
  private String model;

  OpenAiWire(OutputStream out) {
    super(out);
  }

  @Override
  void begin(String model) throws IOException {
    this.model = model;
    // OpenAI opens with an empty assistant delta; clients must not turn it into a text event.
    chunk(Map.of("role", "assistant", "content", ""), null);
  }

  @Override
  void text(String delta) throws IOException {
    chunk(Map.of("content", delta), null);
  }

  @Override
  void toolCallStart(int index, ToolCall call) throws IOException {
    Map<String, Object> function = Map.of("name", call.name(), "arguments", "");
    chunk(Map.of("tool_calls", List.of(Map.of("index", index, "id", call.id(), "type", "function", "function", function))),
        null);
  }

  @Override
  void toolCallArguments(int index, String fragment) throws IOException {
    chunk(Map.of("tool_calls", List.of(Map.of("index", index, "function", Map.of("arguments", fragment)))), null);
  }

  @Override
  void end(String finishReason) throws IOException {
    chunk(Map.of(), finishReason);
    frame(null, "[DONE]");
  }

  @Override
  Object errorBody(String message) {
    Map<String, Object> error = new HashMap<>();
    error.put("message", message);
    error.put("type", "fake_error");
    error.put("code", null);
    return Map.of("error", error);
  }

  private void chunk(Map<String, Object> delta, String finishReason) throws IOException {
    Map<String, Object> choice = new HashMap<>();
    choice.put("index", 0);
    choice.put("delta", delta);
    choice.put("finish_reason", finishReason);
    frame(null, Map.of("id", "chatcmpl-fake", "object", "chat.completion.chunk", "created", 0,
        "model", model == null ? "" : model, "choices", List.of(choice)));
  }
}
