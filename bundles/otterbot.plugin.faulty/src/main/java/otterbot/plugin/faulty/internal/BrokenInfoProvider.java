package otterbot.plugin.faulty.internal;

import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;

import otterbot.api.provider.ChatCall;
import otterbot.api.provider.ChatRequest;
import otterbot.api.provider.ChatSink;
import otterbot.api.provider.ModelProvider;
import otterbot.api.provider.ProviderInfo;

/** A provider whose {@code info()} throws: the server must skip it, and list and configure the others as before. */
@Component(service = ModelProvider.class, property = ModelProvider.PROVIDER_ID + "=" + BrokenInfoProvider.ID)
public final class BrokenInfoProvider implements ModelProvider {
  static final String ID = "broken";

  @Override
  public ProviderInfo info() {
    throw new IllegalStateException("info() of the faulty fixture provider fails on purpose");
  }

  @Override
  public List<String> listModels(Map<String, String> secrets) {
    throw new IllegalStateException("listModels() of the faulty fixture provider fails on purpose");
  }

  @Override
  public ChatCall chat(ChatRequest request, ChatSink sink) {
    throw new IllegalStateException("chat() of the faulty fixture provider fails on purpose");
  }
}
