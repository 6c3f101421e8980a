package otterbot.provider.support;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

import javax.net.ssl.SSLException;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The messages a user sees when a provider call fails. Anything taken from a response or an exception passes through
 * the call's {@link Redactor}, and URLs are shown without user-info, so no secret reaches a message.
 */
public class Failures {
  /** Provider messages are cut to this length: enough to explain, short enough for a chat bubble. */
  static final int MAX_PROVIDER_MESSAGE = 300;

  /** {@code java.net.http} does not expose the reason phrase, so the usual ones are spelled out here. */
  private static final Map<Integer, String> REASONS = Map.ofEntries(
      Map.entry(400, "Bad Request"), Map.entry(401, "Unauthorized"), Map.entry(402, "Payment Required"),
      Map.entry(403, "Forbidden"), Map.entry(404, "Not Found"), Map.entry(405, "Method Not Allowed"),
      Map.entry(408, "Request Timeout"), Map.entry(409, "Conflict"), Map.entry(413, "Payload Too Large"),
      Map.entry(415, "Unsupported Media Type"), Map.entry(422, "Unprocessable Entity"),
      Map.entry(429, "Too Many Requests"), Map.entry(500, "Internal Server Error"), Map.entry(501, "Not Implemented"),
      Map.entry(502, "Bad Gateway"), Map.entry(503, "Service Unavailable"), Map.entry(504, "Gateway Timeout"),
      Map.entry(529, "Overloaded"));

  private final String label;
  private final String endpoint;
  private final Redactor redactor;

  /**
   * @param label the provider's display name
   * @param endpoint the base URL as it may be shown ({@link Endpoint#display()})
   */
  public Failures(String label, String endpoint, Redactor redactor) {
    this.label = label;
    this.endpoint = endpoint;
    this.redactor = redactor;
  }

  /** A required API key is missing; no request was made. */
  public static String missingKey(String apiKeyEnv) {
    return apiKeyEnv + " is not set: add it in the global settings or the agent's credentials";
  }

  /** The provider's component was deactivated while the call ran. */
  public static String stopped(String providerId) {
    return "provider " + providerId + " was stopped";
  }

  /** The reason phrase of a usual status, or null ({@code java.net.http} does not expose the server's). */
  public static String reason(int status) {
    return REASONS.get(status);
  }

  /**
   * A non-2xx answer: {@code provider returned <status> <reason>}, then the provider's own message when the body has
   * one, then the {@code retry-after} header of a 429.
   */
  public String status(int status, HttpHeaders headers, String body) {
    StringBuilder message = new StringBuilder("provider returned ").append(status);
    String reason = REASONS.get(status);
    if (reason != null) {
      message.append(' ').append(reason);
    }
    String detail = bodyMessage(body);
    if (detail != null) {
      message.append(": ").append(detail);
    }
    if (status == 429) {
      headers.firstValue("retry-after")
          .ifPresent(value -> message.append(" (retry-after: ").append(shorten(redactor.scrub(value))).append(')'));
    }
    return message.toString();
  }

  /** The request never got an answer: connection refused, unknown host, TLS, timeout. */
  public String unreachable(Throwable error) {
    return "cannot reach " + label + " at " + endpoint + ": " + cause(error);
  }

  /** The stream ended (or the connection dropped) before the provider said the reply was complete. */
  public String streamCut() {
    return "the provider closed the stream before the reply was complete";
  }

  /** Nothing arrived for the idle timeout. */
  public String idle(Duration timeout) {
    return label + " sent nothing for " + seconds(timeout) + " (idle timeout), so the reply was abandoned";
  }

  /** An error event inside the stream. */
  public String providerError(String message) {
    String detail = message == null ? null : shorten(redactor.scrub(message));
    return "the provider reported an error" + (detail == null || detail.isEmpty() ? "" : ": " + detail);
  }

  /** An event whose data was not the JSON the wire format promises. */
  public String malformed() {
    return label + " sent a stream event that is not valid JSON";
  }

  /** A 2xx answer to a model listing that is not {@code {"data":[{"id":...}]}}. */
  public String notAModelList() {
    return label + " did not answer with a model list ({\"data\":[{\"id\":...}]})";
  }

  /** A 2xx answer to an embeddings call that is not {@code {"data":[{"index":...,"embedding":[...]}]}}. */
  public String notEmbeddings() {
    return label + " did not answer with embeddings ({\"data\":[{\"index\":...,\"embedding\":[...]}]})";
  }

  /** An embeddings answer with more or fewer vectors than texts were sent. */
  public String wrongEmbeddingCount(int got, int expected) {
    return label + " returned " + got + (got == 1 ? " embedding" : " embeddings") + " for " + expected
        + (expected == 1 ? " text" : " texts");
  }

  /** An embeddings answer whose vectors differ in length. */
  public String mixedEmbeddingLengths() {
    return label + " returned embeddings of different lengths";
  }

  /** The configured base URL cannot be used. */
  public String invalidBaseUrl(String why) {
    return "the base URL of " + label + " is " + why + ": " + endpoint;
  }

  /** Cleans text from elsewhere for a message: secrets removed, cut to length. */
  public String clean(String text) {
    return shorten(redactor.scrub(text));
  }

  /** The provider's error message in a JSON error body of any of the usual shapes, or null. */
  public static String errorMessage(JsonNode body) {
    JsonNode error = body.path("error");
    if (error.isTextual()) {
      return error.textValue();
    }
    for (JsonNode candidate : new JsonNode[] {error.path("message"), body.path("message"), body.path("detail")}) {
      if (candidate.isTextual() && !candidate.textValue().isBlank()) {
        return candidate.textValue();
      }
    }
    return null;
  }

  /** The provider's message from an error body: its JSON message, or short plain text; never an HTML page. */
  private String bodyMessage(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    JsonNode json = Json.parseOrNull(body);
    String message = json != null ? errorMessage(json) : body.stripLeading().startsWith("<") ? null : body;
    return message == null || message.isBlank() ? null : clean(message);
  }

  private String cause(Throwable error) {
    // The JDK wraps the telling exception (an unresolved address inside a ConnectException, for one), so look at the
    // whole chain before settling on the outermost kind.
    if (find(error, HttpConnectTimeoutException.class) != null) {
      return "connection timed out after " + seconds(ProviderRuntime.CONNECT_TIMEOUT);
    }
    if (find(error, UnknownHostException.class) != null || find(error, UnresolvedAddressException.class) != null) {
      return "unknown host";
    }
    Throwable tls = find(error, SSLException.class);
    if (tls != null) {
      return "TLS handshake failed (" + describe(tls) + ")";
    }
    Throwable refused = find(error, ConnectException.class);
    if (refused != null) {
      return refused.getMessage() == null ? "connection refused" : clean(refused.getMessage().toLowerCase(Locale.ROOT));
    }
    Throwable root = error;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return describe(root);
  }

  private static Throwable find(Throwable error, Class<? extends Throwable> kind) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (kind.isInstance(t)) {
        return t;
      }
    }
    return null;
  }

  private String describe(Throwable t) {
    return t.getMessage() == null ? t.getClass().getSimpleName() : clean(t.getMessage());
  }

  private static String shorten(String text) {
    String oneLine = text.strip().replaceAll("\\s+", " ");
    return oneLine.length() <= MAX_PROVIDER_MESSAGE ? oneLine : oneLine.substring(0, MAX_PROVIDER_MESSAGE - 1) + "…";
  }

  private static String seconds(Duration duration) {
    long millis = duration.toMillis();
    return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
  }
}
