package otterbot.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import otterbot.api.settings.GlobalSettings;
import otterbot.api.settings.SettingsService;

/** JSON that Jersey binds (here a settings PUT with an API key in it) and fails: nothing of the body is logged. */
class ErrorMapperLogTest {
  /** Never reached: every request here fails while its body is read. */
  static final class NoSettings implements SettingsService {
    @Override
    public boolean onboardingComplete() {
      throw new AssertionError();
    }

    @Override
    public void completeOnboarding() {
      throw new AssertionError();
    }

    @Override
    public GlobalSettings global() {
      throw new AssertionError();
    }

    @Override
    public GlobalSettings updateGlobal(GlobalSettings incoming) {
      throw new AssertionError();
    }

    @Override
    public Map<String, String> providerSecrets() {
      throw new AssertionError();
    }
  }

  private final InProcessApi api = new InProcessApi(new SettingsResource(new NoSettings()));

  @Test
  void aMalformedApiKeyIsNeitherAnsweredNorLogged() throws Exception {
    String log = Logs.of(() -> {
      var answer = api.call("PUT", "settings/global", "application/json",
          "{\"providers\":{\"openai\":{\"apiKey\":skLiveSecret123}}}");
      assertEquals(400, answer.status(), answer::toString);
      assertFalse(answer.body().contains("skLive"), answer.body());
    });
    assertTrue(log.contains("Bad JSON: 'malformed JSON at line 1"), log);
    // Jackson's own message would quote the token up to the first character that cannot be in one.
    assertFalse(log.contains("skLive"), log);
  }
}
