package otterbot.provider.openaicompat.internal;

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
 * Any other server speaking OpenAI chat completions: llama.cpp's llama-server (whose default address is the default
 * here), vLLM, LocalAI, ... Without a key no {@code Authorization} header is sent, since a server started without
 * keys may reject one.
 */
@Component(service = ModelProvider.class, property = ModelProvider.PROVIDER_ID + "=openai-compatible",
    configurationPid = "otterbot.provider.openaicompat") // <home>/etc/otterbot.provider.openaicompat.cfg: one PID per bundle (a PID is bound to one bundle)
public final class OpenAiCompatibleServerProvider extends OpenAiCompatibleProvider {
  static final OpenAiCompatible SETTINGS = new OpenAiCompatible("openai-compatible", "OpenAI-compatible server", true,
      false, "OPENAI_COMPATIBLE_API_KEY", "OPENAI_COMPATIBLE_BASE_URL", "http://localhost:8080/v1", null, "max_tokens");

  @Activate
  public OpenAiCompatibleServerProvider(ProviderConfiguration config) {
    this(ProviderRuntime.idleTimeout(config));
  }

  OpenAiCompatibleServerProvider(Duration idleTimeout) {
    super(SETTINGS, idleTimeout);
  }

  @Deactivate
  void deactivate() {
    close();
  }
}
