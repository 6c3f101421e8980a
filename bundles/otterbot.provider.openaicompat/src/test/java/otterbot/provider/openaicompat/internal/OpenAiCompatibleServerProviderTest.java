package otterbot.provider.openaicompat.internal;

import otterbot.api.provider.ModelProvider;
import otterbot.api.provider.ProviderInfo;
import otterbot.testsupport.LocalProviderContract;

class OpenAiCompatibleServerProviderTest extends LocalProviderContract {
  @Override
  protected ModelProvider newProvider() {
    return new OpenAiCompatibleServerProvider(WAIT);
  }

  @Override
  protected void stop(ModelProvider provider) {
    ((OpenAiCompatibleServerProvider) provider).deactivate();
  }

  @Override
  protected ProviderInfo expectedInfo() {
    return new ProviderInfo("openai-compatible", "OpenAI-compatible server", true, true, false,
        "OPENAI_COMPATIBLE_API_KEY", "OPENAI_COMPATIBLE_BASE_URL", "http://localhost:8080/v1");
  }

  @Override
  protected String defaultKey() {
    return null; // llama.cpp, vLLM and the like run without a key by default
  }
}
