package otterbot.core.internal.providers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import otterbot.api.provider.ChatCall;
import otterbot.api.provider.ChatRequest;
import otterbot.api.provider.ChatSink;
import otterbot.api.provider.ModelProvider;
import otterbot.api.provider.ProviderException;
import otterbot.api.provider.ProviderInfo;
import otterbot.api.settings.GlobalSettings;
import otterbot.api.settings.SettingsService;

/** Faulty provider plug-ins are skipped once, at binding, and never break the provider list. */
class ModelServiceImplTest {
  final ModelServiceImpl models = new ModelServiceImpl(new SettingsService() {
    @Override
    public boolean onboardingComplete() {
      return true;
    }

    @Override
    public void completeOnboarding() {}

    @Override
    public GlobalSettings global() {
      throw new UnsupportedOperationException();
    }

    @Override
    public GlobalSettings updateGlobal(GlobalSettings incoming) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Map<String, String> providerSecrets() {
      return Map.of();
    }
  });

  @AfterEach
  void stop() {
    models.deactivate();
  }

  static ProviderInfo info(String id) {
    return new ProviderInfo(id, "Label of " + id, true, false, false, null, null, null);
  }

  static ModelProvider provider(Supplier<ProviderInfo> info, Supplier<List<String>> listModels) {
    return new ModelProvider() {
      @Override
      public ProviderInfo info() {
        return info.get();
      }

      @Override
      public List<String> listModels(Map<String, String> secrets) {
        return listModels.get();
      }

      @Override
      public ChatCall chat(ChatRequest request, ChatSink sink) {
        throw new IllegalStateException("no chat here");
      }
    };
  }

  void bind(ModelProvider provider) {
    models.bindProvider(provider, Map.of());
  }

  @Test
  void providersWhoseInfoThrowsHangsOrIsNonsenseAreSkippedAndInfoIsAskedOnce() {
    AtomicInteger asked = new AtomicInteger();
    bind(provider(() -> {
      asked.incrementAndGet();
      return info("good");
    }, List::of));
    bind(provider(() -> {
      throw new IllegalStateException("broken");
    }, List::of));
    bind(provider(() -> null, List::of));
    bind(provider(() -> info("Not An Id!"), List::of));
    bind(provider(() -> info("x".repeat(1000)), List::of));
    bind(provider(() -> new ProviderInfo("nolabel", null, true, false, false, null, null, null), List::of));
    bind(provider(() -> new ProviderInfo("badenv", "B", true, false, true, "KEY; rm -rf", null, null), List::of));
    bind(provider(() -> new ProviderInfo("badurl", "B", true, false, true, null, null, "file:///etc/passwd"),
        List::of));
    bind(provider(() -> {
      try {
        Thread.sleep(60_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return info("slow");
    }, List::of));

    for (int i = 0; i < 3; i++) {
      assertEquals(List.of("good"), models.providers().stream().map(ProviderInfo::id).toList());
    }
    assertEquals(1, asked.get(), "info() is read once, when the provider binds");
    assertTrue(models.provider("good").isPresent());
  }

  @Test
  void aModelListThatIsNullHugeOrThrowsIsAnErrorOrCut() throws Exception {
    bind(provider(() -> info("nulls"), () -> null));
    bind(provider(() -> info("errors"), () -> {
      throw new NoClassDefFoundError("gone/With/Its/Bundle");
    }));
    bind(provider(() -> info("many"), () -> java.util.stream.IntStream.range(0, 50_000)
        .mapToObj(i -> i % 2 == 0 ? "m" + i : "x".repeat(1000)).toList()));
    ProviderException none = assertThrows(ProviderException.class, () -> models.listModels("nulls", Map.of()));
    assertEquals("provider nulls returned no model list", none.getMessage());
    ProviderException error = assertThrows(ProviderException.class, () -> models.listModels("errors", Map.of()));
    assertTrue(error.getMessage().startsWith("provider errors failed"), error.getMessage());
    List<String> many = models.listModels("many", Map.of()).stream().toList();
    assertEquals(ModelServiceImpl.MAX_MODELS / 2, many.size(), "cut to the first 10,000, without the 1,000-character ids");
  }

  @Test
  void aProviderWhoseChatThrowsFailsTheModelTestWithAMessage() {
    bind(provider(() -> info("thrower"), List::of));
    ProviderException e = assertThrows(ProviderException.class, () -> models.testModel("thrower", "m", Map.of()));
    assertEquals("provider thrower failed: no chat here", e.getMessage());
  }
}
