package otterbot.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.IntFunction;

import otterbot.api.provider.ToolCall;

/**
 * What {@link FakeModelServer} answers to one request. Replies are immutable values, so one reply may answer any number
 * of requests, concurrently. The server renders a reply in the wire format of the path it was asked on (OpenAI
 * chat-completions SSE on {@code /v1/chat/completions}, Anthropic Messages SSE on {@code /v1/messages}).
 */
public sealed interface Reply
    permits Reply.Stream, Reply.Error, Reply.Models, Reply.RawSse, Reply.Embeddings, Reply.RawJson {
  /** The length of {@link #embeddings()} vectors. */
  int DEFAULT_DIMENSIONS = 64;

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
   * An embeddings answer ({@code POST /v1/embeddings}): for each input text, {@link #hashedVector} of
   * {@link #DEFAULT_DIMENSIONS} floats, in the OpenAI shape {@code {"data":[{"index":i,"embedding":[...]}]}}.
   */
  static Embeddings embeddings() {
    return embeddings(DEFAULT_DIMENSIONS);
  }

  /** Like {@link #embeddings()} with vectors of {@code dimensions} floats. */
  static Embeddings embeddings(int dimensions) {
    if (dimensions < 1) {
      throw new IllegalArgumentException("dimensions must be positive");
    }
    return new Embeddings(dimensions, null, false);
  }

  /** An embeddings answer with exactly these vectors, whatever the input (for wrong counts and odd vectors). */
  static Embeddings vectors(float[]... vectors) {
    return new Embeddings(0, List.of(vectors), false);
  }

  /** A response with this status and this body as {@code application/json}, sent as is (for malformed answers). */
  static RawJson json(int status, String body) {
    return new RawJson(status, body);
  }

  /**
   * A deterministic "semantic-ish" vector: a bag of the text's lower-cased words (runs of letters and digits), each
   * word hashed ({@link String#hashCode}, the same in every JVM) into one of {@code dimensions} buckets, then scaled to
   * unit length. Texts sharing words are close; texts without a word in common are orthogonal unless their words
   * collide. A text without words gets the unit vector of bucket 0.
   */
  static float[] hashedVector(String text, int dimensions) {
    float[] vector = new float[dimensions];
    boolean any = false;
    for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (!word.isEmpty()) {
        vector[Math.floorMod(word.hashCode(), dimensions)] += 1;
        any = true;
      }
    }
    if (!any) {
      vector[0] = 1;
      return vector;
    }
    double norm = 0;
    for (float v : vector) {
      norm += v * v;
    }
    for (int i = 0; i < dimensions; i++) {
      vector[i] = (float) (vector[i] / Math.sqrt(norm));
    }
    return vector;
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

  /** Embedding vectors: hashed from the request's input, or fixed. */
  final class Embeddings implements Reply {
    final int dimensions;
    final List<float[]> fixed;
    final boolean reversed;

    private Embeddings(int dimensions, List<float[]> fixed, boolean reversed) {
      this.dimensions = dimensions;
      this.fixed = fixed;
      this.reversed = reversed;
    }

    /**
     * Lists the data items last index first (each keeps its {@code index}), as a server is allowed to; clients must
     * order by {@code index}, not by position.
     */
    public Embeddings reversed() {
      return new Embeddings(dimensions, fixed, true);
    }

    /** The vectors answering these inputs. */
    List<float[]> vectorsFor(List<String> inputs) {
      if (fixed != null) {
        return fixed;
      }
      List<float[]> vectors = new ArrayList<>();
      inputs.forEach(text -> vectors.add(hashedVector(text, dimensions)));
      return vectors;
    }
  }

  /** A JSON (or not quite JSON) body sent as is. */
  final class RawJson implements Reply {
    final int status;
    final String body;

    private RawJson(int status, String body) {
      this.status = status;
      this.body = Objects.requireNonNull(body);
    }
  }
}
