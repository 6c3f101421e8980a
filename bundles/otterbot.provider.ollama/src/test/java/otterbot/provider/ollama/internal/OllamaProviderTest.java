package otterbot.provider.ollama.internal;

import otterbot.api.provider.ModelProvider;
import otterbot.api.provider.ProviderInfo;
import otterbot.testsupport.LocalProviderContract;

class OllamaProviderTest extends LocalProviderContract {
  @Override
  protected ModelProvider newProvider() {
    return new OllamaProvider(WAIT);
  }

  @Override
  protected void stop(ModelProvider provider) {
    ((OllamaProvider) provider).deactivate();
  }

  @Override
  protected ProviderInfo expectedInfo() {
    return new ProviderInfo("ollama", "Ollama (local)", true, true, false, "OLLAMA_API_KEY", "OLLAMA_BASE_URL",
        "http://localhost:11434/v1");
  }

  @Override
  protected String defaultKey() {
    return "ollama";
  }
}
