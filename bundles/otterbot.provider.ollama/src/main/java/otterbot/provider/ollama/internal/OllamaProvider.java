package otterbot.provider.ollama.internal;

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
 * Ollama's OpenAI-compatible endpoint. Ollama ignores the key but OpenAI clients must send one; like upstream, "ollama"
 * is sent when none is set.
 */
@Component(service = ModelProvider.class, property = ModelProvider.PROVIDER_ID + "=ollama",
    configurationPid = "otterbot.provider.ollama") // <home>/etc/otterbot.provider.ollama.cfg: one PID per bundle (a PID is bound to one bundle)
public final class OllamaProvider extends OpenAiCompatibleProvider {
  static final OpenAiCompatible SETTINGS = new OpenAiCompatible("ollama", "Ollama (local)", true, false,
      "OLLAMA_API_KEY", "OLLAMA_BASE_URL", "http://localhost:11434/v1", "ollama", "max_tokens");

  @Activate
  public OllamaProvider(ProviderConfiguration config) {
    this(ProviderRuntime.idleTimeout(config));
  }

  OllamaProvider(Duration idleTimeout) {
    super(SETTINGS, idleTimeout);
  }

  @Deactivate
  void deactivate() {
    close();
  }
}
