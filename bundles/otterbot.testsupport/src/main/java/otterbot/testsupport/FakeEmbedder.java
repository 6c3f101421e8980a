package otterbot.testsupport;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import otterbot.api.provider.ChatCall;
import otterbot.api.provider.ChatRequest;
import otterbot.api.provider.ChatSink;
import otterbot.api.provider.EmbeddingRequest;
import otterbot.api.provider.ModelProvider;
import otterbot.api.provider.ProviderException;
import otterbot.api.provider.ProviderInfo;

/**
 * An embedding-only provider for tests that need vectors without a model: a subclass says how a text becomes a
 * vector. It records every text and batch it is asked to embed, and fails every call while {@link #down} is set; it
 * refuses to chat.
 */
public abstract class FakeEmbedder implements ModelProvider {
  /** The provider id. */
  public final String id;
  /** Every text embedded, in order. */
  public final List<String> texts = new CopyOnWriteArrayList<>();
  /** The size of every batch embedded, in order. */
  public final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
  /** While true every embedding call fails with a {@link ProviderException}. */
  public volatile boolean down;
  private final String model;

  protected FakeEmbedder(String id, String model) {
    this.id = id;
    this.model = model;
  }

  /** The vector of one text. */
  protected abstract float[] embedOne(String text);

  @Override
  public ProviderInfo info() {
    return new ProviderInfo(id, id, false, true, false, null, null, null);
  }

  @Override
  public List<String> listModels(Map<String, String> secrets) {
    return List.of(model);
  }

  @Override
  public ChatCall chat(ChatRequest request, ChatSink sink) {
    sink.failed("embeds only");
    return () -> {};
  }

  @Override
  public List<float[]> embed(EmbeddingRequest request) throws ProviderException {
    if (down) {
      throw new ProviderException("the embedder is down");
    }
    batchSizes.add(request.texts().size());
    var out = new ArrayList<float[]>();
    for (String text : request.texts()) {
      texts.add(text);
      out.add(embedOne(text));
    }
    return out;
  }
}
