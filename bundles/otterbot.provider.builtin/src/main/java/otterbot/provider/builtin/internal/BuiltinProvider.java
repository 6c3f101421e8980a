package otterbot.provider.builtin.internal;

import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;

import otterbot.api.provider.ChatCall;
import otterbot.api.provider.ChatRequest;
import otterbot.api.provider.ChatSink;
import otterbot.api.provider.ModelProvider;
import otterbot.api.provider.ProviderInfo;

/**
 * The provider a fresh install chats with: no language model, no network, no keys. It never pretends to be a model:
 * every reply starts with a label saying so and explains how to configure a real provider. Its replies are fixed
 * templates (see {@link Script}), so tests can assert them exactly, and its {@code /tool} command makes it call tools,
 * which lets the tool loop and orchestration be shown and tested offline.
 */
@Component(service = ModelProvider.class, property = ModelProvider.PROVIDER_ID + "=" + BuiltinProvider.ID)
public final class BuiltinProvider implements ModelProvider {
  static final String ID = "builtin";
  static final String MODEL = "offline";
  private static final ProviderInfo INFO =
      new ProviderInfo(ID, "Built-in (offline, no language model)", true, false, false, null, null, null);

  @Override
  public ProviderInfo info() {
    return INFO;
  }

  @Override
  public List<String> listModels(Map<String, String> secrets) {
    return List.of(MODEL);
  }

  /** Answers synchronously: there is nothing to wait for, and the reply is streamed word by word all the same. */
  @Override
  public ChatCall chat(ChatRequest request, ChatSink sink) {
    Script.Reply reply = Script.reply(request);
    for (String piece : Script.words(reply.text())) {
      sink.text(piece);
    }
    reply.calls().forEach(sink::toolCall);
    sink.completed(reply.calls().isEmpty() ? "stop" : "tool_calls");
    return () -> { };
  }
}
