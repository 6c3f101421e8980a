package otterbot.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;

import otterbot.api.provider.ToolCall;

/**
 * What {@link FakeModelServer} answers to one request. Replies are immutable values, so one reply may answer any number
 * of requests, concurrently. The server renders a reply in the wire format of the path it was asked on (OpenAI
 * chat-completions SSE on {@code /v1/chat/completions}, Anthropic Messages SSE on {@code /v1/messages}).
 */
public sealed interface Reply permits Reply.Stream, Reply.Error, Reply.Models, Reply.RawSse {

  /** A streamed reply of these text deltas, one SSE frame each. */
  static Stream text(String... tokens) {
    List<String> copy = List.of(tokens);
    return new Stream(copy.size(), copy::get, List.of(), Duration.ZERO, -1, -1, null, null);
  }

  /**
   * A streamed reply of {@code count} text deltas, each computed when it is sent (for example stamped with
   * {@link System#nanoTime()} for latency measurements, or waiting for the client to have seen the previous one).
   */
  static Stream tokens(int count, IntFunction<String> token) {
    return new Stream(count, token, List.of(), Duration.ZERO, -1, -1, null, null);
  }

  /** A streamed reply that is one tool call; its arguments are sent in several fragments. */
  static Stream toolCall(String name, String arguments) {
    return text().thenToolCall(name, arguments);
  }

  /** A streamed reply of these tool calls, in order, each with its arguments sent in several fragments. */
  static Stream toolCalls(ToolCall... calls) {
    return new Stream(0, i -> "", List.of(calls), Duration.ZERO, -1, -1, null, null);
  }

  /** An HTTP error with the provider's JSON error body carrying {@code message}. */
  static Error error(int status, String message) {
    return new Error(status, message, null);
  }

  /** A {@code {"data":[{"id":...}]}} model list, as {@code GET /v1/models} answers. */
  static Models models(String... ids) {
    return new Models(List.of(ids));
  }

  /**
   * A 200 {@code text/event-stream} made of exactly these frames, for malformed or unusual streams. Each frame is the
   * text of one event without its terminating blank line, for example {@code "data: [DONE]"} or
   * {@code "event: error\ndata: {...}"}.
   */
  static RawSse sse(String... frames) {
    return new RawSse(List.of(frames));
  }

  /**
   * Text deltas, then tool calls, then a finish frame. Every delta and every tool-call fragment is one step; the step
   * counts of {@link #stallAfter} and {@link #dropAfter} count them.
   */
  final class Stream implements Reply {
    final int tokenCount;
    final IntFunction<String> token;
    final List<ToolCall> toolCalls;
    final Duration tokenDelay;
    final int stallAfter;
    final int dropAfter;
    private final String finishReason;
    /** While stalled, an SSE comment ({@code : ping}) this often; null for silence. */
    final Duration commentEvery;

    private Stream(int tokenCount, IntFunction<String> token, List<ToolCall> toolCalls, Duration tokenDelay,
        int stallAfter, int dropAfter, String finishReason, Duration commentEvery) {
      this.tokenCount = tokenCount;
      this.token = Objects.requireNonNull(token);
      this.toolCalls = List.copyOf(toolCalls);
      this.tokenDelay = Objects.requireNonNull(tokenDelay);
      this.stallAfter = stallAfter;
      this.dropAfter = dropAfter;
      this.finishReason = finishReason;
      this.commentEvery = commentEvery;
    }

    /** Waits this long before each step, so a client sees the reply arrive piece by piece. */
    public Stream delayEachStep(Duration delay) {
      return new Stream(tokenCount, token, toolCalls, delay, stallAfter, dropAfter, finishReason, commentEvery);
    }

    /** After {@code steps} steps, sends nothing more but keeps the connection open until the server closes. */
    public Stream stallAfter(int steps) {
      return new Stream(tokenCount, token, toolCalls, tokenDelay, steps, dropAfter, finishReason, commentEvery);
    }

    /**
     * While stalled ({@link #stallAfter}), sends an SSE comment line ({@code : ping}) every {@code every}: a model
     * that keeps the connection busy with heartbeats but never sends data.
     */
    public Stream commentsWhileStalled(Duration every) {
      return new Stream(tokenCount, token, toolCalls, tokenDelay, stallAfter, dropAfter, finishReason, every);
    }

    /** After {@code steps} steps, closes the connection without ending the response (a dropped connection). */
    public Stream dropAfter(int steps) {
      return new Stream(tokenCount, token, toolCalls, tokenDelay, stallAfter, steps, finishReason, commentEvery);
    }

    /** Adds a tool call after everything already in this reply. */
    public Stream thenToolCall(String name, String arguments) {
      List<ToolCall> calls = new ArrayList<>(toolCalls);
      calls.add(new ToolCall("call_" + (calls.size() + 1), name, arguments));
      return new Stream(tokenCount, token, calls, tokenDelay, stallAfter, dropAfter, finishReason, commentEvery);
    }

    /**
     * The finish reason in OpenAI's terms ({@code stop}, {@code length}, {@code tool_calls}); the Anthropic stream sends
     * the matching {@code stop_reason}. Defaults to {@code tool_calls} when the reply has tool calls, else {@code stop}.
     */
    public Stream finishReason(String reason) {
      return new Stream(tokenCount, token, toolCalls, tokenDelay, stallAfter, dropAfter, reason, commentEvery);
    }

    String effectiveFinishReason() {
      if (finishReason != null) {
        return finishReason;
      }
      return toolCalls.isEmpty() ? "stop" : "tool_calls";
    }
  }

  /** An HTTP error status with a JSON error body. */
  final class Error implements Reply {
    final int status;
    final String message;
    final String retryAfter;

    private Error(int status, String message, String retryAfter) {
      this.status = status;
      this.message = message;
      this.retryAfter = retryAfter;
    }

    /** Sends a {@code retry-after} header with this value. */
    public Error retryAfter(String value) {
      return new Error(status, message, value);
    }
  }

  /** A model list. */
  final class Models implements Reply {
    final List<String> ids;

    private Models(List<String> ids) {
      this.ids = ids;
    }
  }

  /** Hand-written SSE frames. */
  final class RawSse implements Reply {
    final List<String> frames;

    private RawSse(List<String> frames) {
      this.frames = frames;
    }
  }
}
