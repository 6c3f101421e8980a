package otterbot.provider.example.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

import otterbot.api.provider.ChatCall;
import otterbot.api.provider.ChatMessage;
import otterbot.api.provider.ChatRequest;
import otterbot.api.provider.ChatSink;
import otterbot.api.provider.ModelProvider;
import otterbot.api.provider.ProviderInfo;

/**
 * An example provider: it streams the last user message back, one word every {@value #WORD_MILLIS} ms. It shows the
 * shape of a provider bundle (one DS component, its own thread, calls that can be cancelled, and nothing left running
 * when the bundle stops) and is the fixture of the hot-install tests.
 */
@Component(service = ModelProvider.class, property = ModelProvider.PROVIDER_ID + "=" + EchoProvider.ID)
public final class EchoProvider implements ModelProvider {
  static final String ID = "example";
  static final long WORD_MILLIS = 100;
  private static final ProviderInfo INFO =
      new ProviderInfo(ID, "Example (echoes slowly)", true, false, false, null, null, null);

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "otterbot-provider-example");
    t.setDaemon(true);
    return t;
  });
  private final Set<Call> running = ConcurrentHashMap.newKeySet();

  @Override
  public ProviderInfo info() {
    return INFO;
  }

  @Override
  public List<String> listModels(Map<String, String> secrets) {
    return List.of("echo");
  }

  @Override
  public ChatCall chat(ChatRequest request, ChatSink sink) {
    String text = "";
    for (ChatMessage m : request.messages()) {
      if (ChatMessage.USER.equals(m.role())) {
        text = m.content();
      }
    }
    var words = new ArrayList<String>(List.of(text.strip().split("\\s+")));
    Call call = new Call(words, sink);
    running.add(call);
    call.task = timer.scheduleWithFixedDelay(call::next, WORD_MILLIS, WORD_MILLIS, TimeUnit.MILLISECONDS);
    return call::cancel;
  }

  /** The bundle is stopping: end every running call with an error and stop the thread. */
  @Deactivate
  void deactivate() {
    running.forEach(call -> call.end("provider " + ID + " was stopped"));
    timer.shutdownNow();
  }

  private final class Call {
    private final List<String> words;
    private final ChatSink sink;
    private volatile ScheduledFuture<?> task;
    private int position;
    private boolean over;

    Call(List<String> words, ChatSink sink) {
      this.words = words;
      this.sink = sink;
    }

    synchronized void next() {
      if (over) {
        return;
      }
      if (position < words.size()) {
        sink.text((position == 0 ? "" : " ") + words.get(position++));
      } else {
        over = true;
        stop();
        sink.completed("stop");
      }
    }

    synchronized void end(String message) {
      if (!over) {
        over = true;
        stop();
        sink.failed(message);
      }
    }

    synchronized void cancel() {
      over = true;
      stop();
    }

    private void stop() {
      running.remove(this);
      ScheduledFuture<?> t = task;
      if (t != null) {
        t.cancel(false);
      }
    }
  }
}
