package otterbot.provider.openai.internal;

import java.time.Duration;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

import otterbot.api.provider.ModelProvider;
import otterbot.provider.support.OpenAiCompatible;
import otterbot.provider.support.OpenAiCompatibleProvider;
import otterbot.provider.support.ProviderConfiguration;
import otterbot.provider.support.ProviderRuntime;
import otterbot.provider.support.Secrets;

/** OpenAI: chat completions with an API key; {@code OPENAI_BASE_URL} points it at a proxy or Azure-style gateway. */
@Component(service = ModelProvider.class, property = ModelProvider.PROVIDER_ID + "=openai",
    configurationPid = "otterbot.provider.openai") // <home>/etc/otterbot.provider.openai.cfg: one PID per bundle (a PID is bound to one bundle)
public final class OpenAiProvider extends OpenAiCompatibleProvider {
  static final OpenAiCompatible SETTINGS = new OpenAiCompatible("openai", "OpenAI", true, true, "OPENAI_API_KEY",
      "OPENAI_BASE_URL", "https://api.openai.com/v1", null, "max_completion_tokens");
  /** The secret upstream uses to choose ChatGPT sign-in over an API key. */
  static final String AUTH_METHOD = "OPENAI_AUTH_METHOD";

  @Activate
  public OpenAiProvider(ProviderConfiguration config) {
    this(ProviderRuntime.idleTimeout(config));
  }

  OpenAiProvider(Duration idleTimeout) {
    super(SETTINGS, idleTimeout);
  }

  /**
   * Settings carried over from upstream may select ChatGPT sign-in, which this server does not implement; saying so
   * beats a confusing "key is not set".
   */
  @Override
  protected String refusal(Map<String, String> secrets) {
    if ("oauth".equalsIgnoreCase(Secrets.valueOr(secrets, AUTH_METHOD, ""))) {
      return "ChatGPT sign-in (OAuth) is not supported by this server; use an API key";
    }
    return super.refusal(secrets);
  }

  @Deactivate
  void deactivate() {
    close();
  }
}
