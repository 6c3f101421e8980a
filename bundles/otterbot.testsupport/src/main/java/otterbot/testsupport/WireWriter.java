package otterbot.testsupport;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.ObjectMapper;

import otterbot.api.provider.ToolCall;

/**
 * Writes the steps of a {@link Reply.Stream} as one provider's SSE frames. Every frame is flushed at once (the
 * response is chunked), so a client sees each step the moment it is written.
 */
abstract class WireWriter {
  static final ObjectMapper JSON = new ObjectMapper();

  private final OutputStream out;

  WireWriter(OutputStream out) {
    this.out = out;
  }

  /** Frames sent before the first step. */
  abstract void begin(String model) throws IOException;

  abstract void text(String delta) throws IOException;

  abstract void toolCallStart(int index, ToolCall call) throws IOException;

  abstract void toolCallArguments(int index, String fragment) throws IOException;

  /** The closing frames; {@code finishReason} is in OpenAI's terms. */
  abstract void end(String finishReason) throws IOException;

  /** The JSON body of an HTTP error in this provider's shape. */
  abstract Object errorBody(String message);

  final void frame(String event, Object data) throws IOException {
    String text = data instanceof String s ? s : JSON.writeValueAsString(data);
    raw((event == null ? "" : "event: " + event + "\n") + "data: " + text);
  }

  /** One frame as given, plus the blank line that ends an SSE event. */
  final void raw(String frame) throws IOException {
    out.write((frame + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
