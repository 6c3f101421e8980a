package otterbot.provider.openai.internal;

import java.net.http.HttpHeaders;

import otterbot.provider.support.Failures;
import otterbot.provider.support.Redactor;

/**
 * Failure messages of the Codex backend: a non-2xx answer reads as upstream's
 * {@code OpenAI OAuth request failed: <status> <statusText> <first 500 chars of body>}, the body redacted of the call's
 * tokens.
 */
final class CodexFailures extends Failures {
  static final int MAX_BODY = 500;
  private final Redactor redactor;

  private final Runnable onUnauthorized;

  /** @param onUnauthorized told when the backend answers 401, so the token is refreshed before its next use */
  CodexFailures(String endpoint, Redactor redactor, Runnable onUnauthorized) {
    super("OpenAI (ChatGPT sign-in)", endpoint, redactor);
    this.redactor = redactor;
    this.onUnauthorized = onUnauthorized;
  }

  @Override
  public String status(int status, HttpHeaders headers, String body) {
    if (status == 401) {
      onUnauthorized.run();
    }
    String reason = Failures.reason(status);
    String text = redactor.scrub(body == null ? "" : body).strip().replaceAll("\\s+", " ");
    if (text.length() > MAX_BODY) {
      text = text.substring(0, MAX_BODY);
    }
    return ("OpenAI OAuth request failed: " + status + (reason == null ? "" : " " + reason) + " " + text).strip();
  }
}
