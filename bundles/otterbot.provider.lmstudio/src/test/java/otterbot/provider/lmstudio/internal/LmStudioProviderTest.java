package otterbot.provider.lmstudio.internal;

import otterbot.api.provider.ModelProvider;
import otterbot.api.provider.ProviderInfo;
import otterbot.testsupport.LocalProviderContract;

class LmStudioProviderTest extends LocalProviderContract {
  @Override
  protected ModelProvider newProvider() {
    return new LmStudioProvider(WAIT);
  }

  @Override
  protected void stop(ModelProvider provider) {
    ((LmStudioProvider) provider).deactivate();
  }

  @Override
  protected ProviderInfo expectedInfo() {
    return new ProviderInfo("lmstudio", "LM Studio (local)", true, true, false, "LMSTUDIO_API_KEY",
        "LMSTUDIO_BASE_URL", "http://localhost:1234/v1");
  }

  @Override
  protected String defaultKey() {
    return "lm-studio";
  }
}
