package otterbot.provider.minilm.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import otterbot.api.provider.ChatCall;
import otterbot.api.provider.ChatRequest;
import otterbot.api.provider.ChatSink;
import otterbot.api.provider.EmbeddingRequest;
import otterbot.api.provider.ModelProvider;
import otterbot.api.provider.ProviderException;
import otterbot.api.provider.ProviderInfo;

/**
 * The server's default embedder: all-MiniLM-L6-v2 (int8), built in and offline, 384 dimensions. It cannot chat.
 *
 * <p>The model is loaded (about 1 to 3 s of CPU on two cores, and some 70 MiB of native memory) on a thread of its own
 * when the first text is to be embedded, not at activation: a server whose agents have no memories yet, and whose
 * searches therefore never embed, neither pays for it during its start nor carries it while idle (issue 12). The
 * first {@link #embed} waits for the load. ONNX Runtime lives on the launcher's class path, not in a bundle, so
 * stopping, updating or refreshing this bundle never loads its native library a second time.
 *
 * <p>Immediate: a delayed component would be disposed whenever its last user let go of it, and the next user would
 * wait for the model to load again.
 */
@Component(service = ModelProvider.class, immediate = true, property = {
    ModelProvider.PROVIDER_ID + "=" + MiniLmProvider.ID,
    ModelProvider.DEFAULT_EMBEDDER + ":Boolean=true"})
public final class MiniLmProvider implements ModelProvider {
  static final String ID = "minilm";
  static final String MODEL = "all-minilm-l6-v2-q";
  /** Bounds of one request, so one caller cannot occupy the model for minutes. */
  static final int MAX_TEXTS = 256;
  static final int MAX_CHARS = 100_000;
  static final long LOAD_WAIT_SECONDS = 60;

  private static final Logger LOG = LoggerFactory.getLogger(MiniLmProvider.class);
  private static final ProviderInfo INFO =
      new ProviderInfo(ID, "all-MiniLM-L6-v2 (built in, offline)", false, true, false, null, null, null);

  private final CompletableFuture<MiniLmModel> model = new CompletableFuture<>();
  private final Loader loader;
  private boolean loading;
  private volatile boolean stopped;

  /** How the model is obtained: from the bundle in production, from the langchain4j jar in unit tests. */
  interface Loader {
    MiniLmModel load() throws Exception;
  }

  @Activate
  public MiniLmProvider() {
    this(MiniLmModel::load);
  }

  MiniLmProvider(Loader loader) {
    this.loader = loader;
  }

  /** Starts the load once; on a thread of its own, so a caller that gives up waiting does not abandon it half-done. */
  private synchronized void startLoading() {
    if (loading || stopped) {
      return;
    }
    loading = true;
    Thread thread = new Thread(this::load, "otterbot-minilm-load");
    thread.setDaemon(true);
    thread.start();
  }

  /** Whether the model's load has begun (tests). */
  synchronized boolean loadStarted() {
    return loading;
  }

  private void load() {
    long start = System.nanoTime();
    try {
      MiniLmModel loaded = loader.load();
      LOG.info("Loaded the embedding model all-MiniLM-L6-v2 (int8, {} dimensions) in {} ms",
          MiniLmModel.DIMENSIONS, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      synchronized (this) {
        if (stopped) {
          loaded.close();
          return;
        }
        model.complete(loaded);
      }
    } catch (Exception | LinkageError e) {
      // LinkageError: ONNX Runtime's native library failed to load (an unsupported platform, a missing tmp dir).
      LOG.error("Could not load the embedding model all-MiniLM-L6-v2", e);
      model.completeExceptionally(e);
    }
  }

  @Override
  public ProviderInfo info() {
    return INFO;
  }

  @Override
  public List<String> listModels(Map<String, String> secrets) {
    return List.of(MODEL);
  }

  @Override
  public ChatCall chat(ChatRequest request, ChatSink sink) {
    sink.failed("the minilm provider only embeds text");
    return () -> { };
  }

  /** One unit vector of 384 floats per text; the model id is ignored (there is one model). */
  @Override
  public List<float[]> embed(EmbeddingRequest request) throws ProviderException {
    List<String> texts = request.texts();
    if (texts.size() > MAX_TEXTS) {
      throw new ProviderException("at most " + MAX_TEXTS + " texts can be embedded at once, not " + texts.size());
    }
    for (int i = 0; i < texts.size(); i++) {
      String text = texts.get(i);
      if (text != null && text.length() > MAX_CHARS) {
        throw new ProviderException("text " + i + " is longer than " + MAX_CHARS + " characters");
      }
    }
    if (texts.isEmpty()) {
      return List.of();
    }
    MiniLmModel loaded = awaitModel();
    List<float[]> vectors = new ArrayList<>(texts.size());
    try {
      // One run per text, never a padded batch: the quantized model scales each run's activations by their range, so
      // padding would make a text's vector depend on its neighbours in the request.
      for (String text : texts) {
        vectors.add(loaded.embed(text == null ? "" : text));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProviderException("interrupted while embedding");
    } catch (IllegalStateException e) {
      throw new ProviderException("provider " + ID + " was stopped");
    } catch (Exception e) {
      throw new ProviderException("the embedding model failed: " + e.getMessage(), e);
    }
    return vectors;
  }

  private MiniLmModel awaitModel() throws ProviderException {
    if (stopped) {
      throw new ProviderException("provider " + ID + " was stopped");
    }
    startLoading();
    try {
      return model.get(LOAD_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new ProviderException("the embedding model is still loading");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProviderException("interrupted while waiting for the embedding model");
    } catch (CancellationException e) {
      throw new ProviderException("provider " + ID + " was stopped");
    } catch (ExecutionException e) {
      throw new ProviderException("the embedding model could not be loaded: " + e.getCause());
    }
  }

  /** Frees the session's native memory (the ONNX Runtime environment is the JVM's and stays). */
  @Deactivate
  void deactivate() {
    synchronized (this) {
      stopped = true;
    }
    // Either the loader finished before the flag was set (then the model is here), or it will see the flag and close
    // the model itself. Waiters hear that the provider stopped.
    if (!model.cancel(false) && !model.isCompletedExceptionally()) {
      model.join().close();
    }
  }
}
