package otterbot.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

import otterbot.api.agent.AgentInput;
import otterbot.api.agent.AgentModels;
import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.AgentRegistry;
import otterbot.api.agent.ModelRef;
import otterbot.api.chat.ChatListener;
import otterbot.api.chat.ChatService;
import otterbot.api.chat.StreamChunk;
import otterbot.api.provider.ModelService;
import otterbot.api.provider.ProviderInfo;
import otterbot.api.tool.Tool;
import otterbot.api.tool.ToolContext;

/**
 * Providers and tools are plug-ins: a provider bundle installed at runtime is usable at once, and uninstalling it
 * mid-reply ends that chat with an error instead of a hang, leaving no thread or class loader behind; a tool
 * registered at runtime is offered to the next turn and gone from the one after its removal.
 */
@Timeout(180)
class PluginHotInstallIT {
  @InjectBundleContext
  BundleContext context;

  @Test
  void aProviderBundleComesAndGoesWithoutARestartAndAChatUsingItEndsWithAnError(
      @InjectService(timeout = 20_000) ModelService models, @InjectService(timeout = 20_000) ChatService chat,
      @InjectService(timeout = 20_000) AgentRegistry agents) throws Exception {
    String jar = System.getProperty("otterbot.itest.providerpack");
    assertTrue(jar != null && new File(jar).isFile(), "the example provider jar is available: " + jar);
    AgentProfile echo = agents.create(new AgentInput(null, "Echo Otter", null, null,
        new AgentModels(new ModelRef("example", "echo"), null), null, null, null, null, null, null, null, null, null));
    try {
      WeakReference<ClassLoader> loader = null;
      for (int round = 1; round <= 2; round++) {
        Bundle pack = context.installBundle(new File(jar).toURI().toString());
        pack.start();
        Await.until("the example provider listed", Duration.ofSeconds(20), () -> ids(models).contains("example"));

        Recorder whole = new Recorder();
        chat.send(echo.id(), "conv-itest-echo-" + round, "one two three", whole);
        assertTrue(whole.done.await(30, TimeUnit.SECONDS));
        assertEquals("one two three", whole.text(), "the echo streamed: " + whole.chunks);

        Recorder cut = new Recorder();
        chat.send(echo.id(), "conv-itest-cut-" + round, "a b c d e f g h i j k l m n o p q r s t u v w x y z", cut);
        Await.until("the first echoed word", Duration.ofSeconds(20), () -> !cut.chunks.isEmpty());
        loader = new WeakReference<>(pack.loadClass("otterbot.provider.example.internal.EchoProvider").getClassLoader());
        pack.uninstall();
        refresh();
        assertTrue(cut.done.await(20, TimeUnit.SECONDS), "the chat ended instead of hanging");
        StreamChunk last = cut.chunks.get(cut.chunks.size() - 1);
        assertEquals(StreamChunk.ERROR, last.kind(), "an error chunk ends it: " + cut.chunks);
        assertTrue(last.message().contains("example"), last.message());
        assertFalse(ids(models).contains("example"), "gone from the providers");

        Recorder after = new Recorder();
        chat.send(echo.id(), "conv-itest-after-" + round, "hello", after);
        assertTrue(after.done.await(20, TimeUnit.SECONDS));
        assertTrue(after.chunks.get(0).message().startsWith("Unknown provider: example"), after.chunks.toString());
      }
      final WeakReference<ClassLoader> lastLoader = loader;
      Await.until("the uninstalled provider's class loader to be collected", Duration.ofSeconds(30), () -> {
        System.gc();
        return lastLoader.get() == null;
      });
      assertNull(lastLoader.get());
      assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("otterbot-provider-example")),
          "the provider's thread stopped with its bundle");
    } finally {
      agents.delete(echo.id());
    }
  }

  @Test
  void aToolRegisteredAtRuntimeIsOfferedUntilItIsUnregistered(@InjectService(timeout = 20_000) ChatService chat,
      @InjectService(timeout = 20_000) AgentRegistry agents) throws Exception {
    // The built-in provider calls a tool on "/tool <name> {json}"; an agent on it follows the global default, which
    // a fresh test home leaves on the built-in model.
    List<String> calls = new CopyOnWriteArrayList<>();
    var props = new Hashtable<String, Object>();
    ServiceRegistration<Tool> registration = context.registerService(Tool.class, new Tool() {
      @Override
      public String name() {
        return "itest_shout";
      }

      @Override
      public String description() {
        return "Upper-cases a word.";
      }

      @Override
      public String parameters() {
        return "{\"type\":\"object\",\"properties\":{\"word\":{\"type\":\"string\"}}}";
      }

      @Override
      public String invoke(ToolContext ctx, String arguments) {
        calls.add(ctx.agent().id() + " " + arguments);
        return "{\"shout\":\"OTTER\"}";
      }
    }, props);
    Recorder used = new Recorder();
    chat.send(AgentProfile.COO_ID, "conv-itest-tool", "/tool itest_shout {\"word\":\"otter\"}", used);
    assertTrue(used.done.await(30, TimeUnit.SECONDS));
    assertEquals(List.of("coo {\"word\":\"otter\"}"), calls);
    assertEquals(List.of("token", "tool_start", "tool_end"),
        used.chunks.stream().map(StreamChunk::kind).distinct().toList(), used.chunks.toString());
    assertTrue(used.text().contains("Tool itest_shout returned: {\"shout\":\"OTTER\"}"), used.text());

    registration.unregister();
    Recorder gone = new Recorder();
    chat.send(AgentProfile.COO_ID, "conv-itest-tool", "/tool itest_shout {\"word\":\"otter\"}", gone);
    assertTrue(gone.done.await(30, TimeUnit.SECONDS));
    assertEquals(1, calls.size(), "not called after it was unregistered");
    assertTrue(gone.text().contains("no tool named 'itest_shout'"), gone.text());
  }

  private static List<String> ids(ModelService models) {
    return models.providers().stream().map(ProviderInfo::id).toList();
  }

  private void refresh() throws InterruptedException {
    var done = new CountDownLatch(1);
    context.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(null, e -> {
      if (e.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
        done.countDown();
      }
    });
    done.await();
  }

  static final class Recorder implements ChatListener {
    final List<StreamChunk> chunks = new CopyOnWriteArrayList<>();
    final CountDownLatch done = new CountDownLatch(1);

    @Override
    public void chunk(StreamChunk chunk) {
      chunks.add(chunk);
    }

    @Override
    public void done() {
      done.countDown();
    }

    String text() {
      var out = new StringBuilder();
      chunks.stream().filter(c -> StreamChunk.TOKEN.equals(c.kind())).forEach(c -> out.append(c.text()));
      return out.toString();
    }
  }
}
