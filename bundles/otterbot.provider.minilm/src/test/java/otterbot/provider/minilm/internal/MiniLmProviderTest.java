package otterbot.provider.minilm.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import otterbot.api.provider.ChatRequest;
import otterbot.api.provider.ChatMessage;
import otterbot.api.provider.EmbeddingRequest;
import otterbot.api.provider.ProviderException;
import otterbot.api.provider.ProviderInfo;

/** The real model under ONNX Runtime, outside any framework. */
class MiniLmProviderTest {
  private static MiniLmModel model;

  @BeforeAll
  static void load() throws Exception {
    // Straight from the langchain4j jar on the test class path; the bundle carries the same files under model/.
    model = MiniLmModel.load("/all-minilm-l6-v2-q.onnx", WordPieceTokenizerTest.TOKENIZER_JSON);
  }

  @AfterAll
  static void close() {
    model.close();
  }

  static double cos(float[] a, float[] b) {
    double dot = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
    }
    return dot;
  }

  static double norm(float[] a) {
    return Math.sqrt(cos(a, a));
  }

  @Test
  void relatedTextsAreCloseAndUnrelatedOnesAreNot() throws Exception {
    float[] cat = model.embed("cat");
    float[] kitten = model.embed("kitten");
    float[] revenue = model.embed("quarterly revenue report");
    assertEquals(MiniLmModel.DIMENSIONS, cat.length);
    assertTrue(cos(cat, kitten) > 0.5, "cos(cat, kitten) = " + cos(cat, kitten));
    assertTrue(cos(cat, revenue) < 0.2, "cos(cat, revenue) = " + cos(cat, revenue));
    for (float[] v : List.of(cat, kitten, revenue)) {
      assertEquals(1.0, norm(v), 1e-5);
    }
  }

  @Test
  void theSameTextGivesTheSameVector() throws Exception {
    assertArrayEquals(model.embed("The otter floats on its back."), model.embed("The otter floats on its back."));
  }

  @Test
  void emptyAndBlankTextsStillGetAUnitVector() throws Exception {
    for (String text : List.of("", "   \n\t")) {
      float[] v = model.embed(text);
      assertEquals(MiniLmModel.DIMENSIONS, v.length);
      assertEquals(1.0, norm(v), 1e-5);
    }
    assertArrayEquals(model.embed(""), model.embed("   \n\t"), "both are [CLS][SEP]");
  }

  @Test
  void aTextLongerThanTheModelsWindowIsEmbeddedWhole() throws Exception {
    String about = "Otters are carnivorous mammals that live near rivers and eat fish. ";
    String other = "The stock market closed higher after the central bank kept interest rates unchanged. ";
    String longText = about.repeat(60) + other.repeat(60); // ~1,700 tokens: four windows
    assertTrue(model.tokenizer().tokenize(longText).length > 3 * MiniLmModel.WINDOW);
    float[] whole = model.embed(longText);
    assertEquals(1.0, norm(whole), 1e-5);
    // Both halves count: the second topic, far beyond the first 510 tokens, pulls the vector towards itself.
    float[] firstHalf = model.embed(about.repeat(60));
    float[] secondTopic = model.embed(other);
    double withSecond = cos(whole, secondTopic);
    double withoutSecond = cos(firstHalf, secondTopic);
    assertTrue(withSecond > withoutSecond + 0.2, "cos to the second topic " + withSecond + " vs " + withoutSecond);
    assertTrue(cos(whole, model.embed(about)) > 0.4, "still close to the first topic");
  }

  @Test
  void theProviderEmbedsABatchExactlyAsOneByOne() throws Exception {
    MiniLmProvider provider = new MiniLmProvider(() -> model);
    List<String> texts = List.of("first text", "", "a somewhat longer second text about otters", "東京");
    List<float[]> batch = provider.embed(new EmbeddingRequest("ignored", texts, Map.of()));
    assertEquals(texts.size(), batch.size());
    for (int i = 0; i < texts.size(); i++) {
      List<float[]> single = provider.embed(new EmbeddingRequest(null, List.of(texts.get(i)), Map.of()));
      assertArrayEquals(single.get(0), batch.get(i), "text " + i);
    }
  }

  @Test
  void aProviderStillLoadingAnswersNoTextsAtOnceAndSaysWhenItFailedToLoad() throws Exception {
    MiniLmProvider broken = new MiniLmProvider(() -> {
      throw new java.io.IOException("the bundle does not contain /model/x.onnx");
    });
    assertEquals(List.of(), broken.embed(new EmbeddingRequest(null, List.of(), Map.of())));
    ProviderException e = assertThrows(ProviderException.class,
        () -> broken.embed(new EmbeddingRequest(null, List.of("x"), Map.of())));
    assertEquals("the embedding model could not be loaded: java.io.IOException: the bundle does not contain "
        + "/model/x.onnx", e.getMessage());
  }

  @Test
  void theModelIsLoadedByTheFirstTextToEmbedNotByActivation() throws Exception {
    var loads = new java.util.concurrent.atomic.AtomicInteger();
    MiniLmProvider provider = new MiniLmProvider(() -> {
      loads.incrementAndGet();
      return model;
    });
    assertEquals(List.of(), provider.embed(new EmbeddingRequest(null, List.of(), Map.of())));
    assertEquals(false, provider.loadStarted());
    assertEquals(0, loads.get());
    var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      var calls = new ArrayList<java.util.concurrent.Future<List<float[]>>>();
      for (int i = 0; i < 4; i++) {
        calls.add(pool.submit(() -> provider.embed(new EmbeddingRequest(null, List.of("otters"), Map.of()))));
      }
      for (var call : calls) {
        assertEquals(1, call.get().size());
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, loads.get(), "concurrent first callers share one load");
  }

  @Test
  void aProviderStoppedBeforeItsFirstTextNeverLoadsTheModel() {
    var loads = new java.util.concurrent.atomic.AtomicInteger();
    MiniLmProvider provider = new MiniLmProvider(() -> {
      loads.incrementAndGet();
      return model;
    });
    provider.deactivate();
    ProviderException stopped = assertThrows(ProviderException.class,
        () -> provider.embed(new EmbeddingRequest(null, List.of("x"), Map.of())));
    assertEquals("provider minilm was stopped", stopped.getMessage());
    assertEquals(0, loads.get());
  }

  @Test
  void theProviderDescribesItselfAndRefusesToChat() {
    MiniLmProvider provider = new MiniLmProvider(() -> model);
    assertEquals(new ProviderInfo("minilm", "all-MiniLM-L6-v2 (built in, offline)", false, true, false, null, null,
        null), provider.info());
    assertEquals(List.of("all-minilm-l6-v2-q"), provider.listModels(Map.of()));
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    provider.chat(new ChatRequest("x", "", List.of(ChatMessage.user("hi")), List.of(), Map.of(), 0),
        new otterbot.api.provider.ChatSink() {
          @Override
          public void text(String delta) {
            failures.add("text");
          }

          @Override
          public void toolCall(otterbot.api.provider.ToolCall call) {
            failures.add("tool");
          }

          @Override
          public void completed(String finishReason) {
            failures.add("completed");
          }

          @Override
          public void failed(String message) {
            failures.add(message);
          }
        });
    assertEquals(List.of("the minilm provider only embeds text"), failures);
  }

  @Test
  void theProviderRefusesTooManyOrTooLongTexts() {
    MiniLmProvider provider = new MiniLmProvider(() -> model);
    ProviderException many = assertThrows(ProviderException.class,
        () -> provider.embed(new EmbeddingRequest(null, Collections.nCopies(257, "x"), Map.of())));
    assertEquals("at most 256 texts can be embedded at once, not 257", many.getMessage());
    ProviderException longText = assertThrows(ProviderException.class,
        () -> provider.embed(new EmbeddingRequest(null, List.of("ok", "x".repeat(100_001)), Map.of())));
    assertEquals("text 1 is longer than 100000 characters", longText.getMessage());
  }

  @Test
  void aStoppedProviderSaysSo() throws Exception {
    MiniLmModel own = MiniLmModel.load("/all-minilm-l6-v2-q.onnx", WordPieceTokenizerTest.TOKENIZER_JSON);
    MiniLmProvider provider = new MiniLmProvider(() -> own);
    assertEquals(1, provider.embed(new EmbeddingRequest(null, List.of("x"), Map.of())).size());
    provider.deactivate();
    ProviderException stopped = assertThrows(ProviderException.class,
        () -> provider.embed(new EmbeddingRequest(null, List.of("x"), Map.of())));
    assertEquals("provider minilm was stopped", stopped.getMessage());
  }
}
