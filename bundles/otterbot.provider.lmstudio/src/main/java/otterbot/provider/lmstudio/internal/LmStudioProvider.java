package otterbot.provider.lmstudio.internal;

import java.time.Duration;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

import otterbot.api.provider.ModelProvider;
import otterbot.provider.support.OpenAiCompatible;
import otterbot.provider.support.OpenAiCompatibleProvider;
import otterbot.provider.support.ProviderConfiguration;
import otterbot.provider.support.ProviderRuntime;

/**
 * LM Studio's local OpenAI-compatible server. It accepts any key; like upstream, "lm-studio" is sent when none is set,
 * the value LM Studio's own OpenAI client examples use.
 */
@Component(service = ModelProvider.class, property = ModelProvider.PROVIDER_ID + "=lmstudio",
    configurationPid = "otterbot.provider.lmstudio") // <home>/etc/otterbot.provider.lmstudio.cfg: one PID per bundle (a PID is bound to one bundle)
public final class LmStudioProvider extends OpenAiCompatibleProvider {
  static final OpenAiCompatible SETTINGS = new OpenAiCompatible("lmstudio", "LM Studio (local)", true, false,
      "LMSTUDIO_API_KEY", "LMSTUDIO_BASE_URL", "http://localhost:1234/v1", "lm-studio", "max_tokens");

  @Activate
  public LmStudioProvider(ProviderConfiguration config) {
    this(ProviderRuntime.idleTimeout(config));
  }

  LmStudioProvider(Duration idleTimeout) {
    super(SETTINGS, idleTimeout);
  }

  @Deactivate
  void deactivate() {
    close();
  }
}
