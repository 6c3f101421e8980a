package otterbot.provider.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

class RedactorTest {
  @Test
  void masksSecretValuesButNotEndpointsOrTheAuthMethod() {
    Redactor redactor = Redactor.of(Map.of("X_API_KEY", "sk-123456", "GITHUB_TOKEN", "ghp_abc",
        "X_BASE_URL", "http://h:1/v1", "OPENAI_AUTH_METHOD", "api-key"));
    assertEquals("key [redacted] and [redacted] rejected by http://h:1/v1 (api-key auth)",
        redactor.scrub("key sk-123456 and ghp_abc rejected by http://h:1/v1 (api-key auth)"));
  }
}
