package otterbot.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

import otterbot.api.agent.AgentInput;
import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.AgentRegistry;
import otterbot.api.chat.ChatService;
import otterbot.api.chat.StreamChunk;
import otterbot.api.memory.MemoryHit;
import otterbot.api.memory.MemoryService;
import otterbot.api.persistence.MemoryStore;
import otterbot.api.persistence.ProfileStore;
import otterbot.api.persistence.StoredMemory;

/**
 * Memory inside a real framework: Lucene and the embedded ONNX model load in Felix, and the two plug-ins memory is
 * made of come and go while chats run. Chats never fail for it, nothing said while the embedding model was away is
 * lost (it is saved at once and gets its vector when the model is back), and a restarted memory bundle finds what was
 * saved before.
 */
@Timeout(300)
class MemoryPluginsIT {
  static final String EMBEDDER = "otterbot.provider.minilm";
  static final String MEMORY = "otterbot.memory";

  @InjectBundleContext
  BundleContext context;

  @Test
  void theEmbeddingBundleStopsAndStartsWhileChatsRunAndNothingIsLost(
      @InjectService(timeout = 30_000) ChatService chat, @InjectService(timeout = 30_000) AgentRegistry agents,
      @InjectService(timeout = 30_000) MemoryService memory, @InjectService(timeout = 30_000) MemoryStore store)
      throws Exception {
    AgentProfile agent = agents.create(AgentInput.named("Memory Otter"));
    try {
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger turns = new AtomicInteger();
      List<String> failures = Collections.synchronizedList(new ArrayList<>());
      Thread chats = new Thread(() -> {
        while (running.get()) {
          int n = turns.get();
          var r = new PluginHotInstallIT.Recorder();
          chat.send(agent.id(), "conv-itest-memory-" + n, "Remember that locker " + n + " holds the "
              + THINGS.get(n % THINGS.size()), r);
          try {
            if (!r.done.await(60, TimeUnit.SECONDS)) {
              failures.add("turn " + n + " did not end");
            }
          } catch (InterruptedException e) {
            return;
          }
          r.chunks.stream().filter(c -> StreamChunk.ERROR.equals(c.kind()))
              .forEach(c -> failures.add("turn " + n + ": " + c.message()));
          turns.incrementAndGet();
        }
      }, "itest-memory-chats");
      chats.start();
      try {
        Bundle embedder = bundle(EMBEDDER);
        awaitTurns(turns, 3);
        embedder.stop();
        awaitTurns(turns, turns.get() + 3);
        embedder.start();
        awaitTurns(turns, turns.get() + 3);
        embedder.update();
        awaitTurns(turns, turns.get() + 3);
      } finally {
        running.set(false);
        chats.join(60_000);
      }
      assertEquals(List.of(), failures, "every turn ended without an error");
      int said = turns.get();
      List<StoredMemory> saved = store.newest(agent.id(), 1000);
      assertEquals(said, saved.size(), "every 'remember' was saved at once, the model there or not");
      Await.until("every memory has its vector (given later to those saved while the model was away)",
          Duration.ofSeconds(120), () -> store.newest(agent.id(), 1000).stream().allMatch(m -> m.embedding() != null));
      assertTrue(store.newest(agent.id(), 1000).stream().allMatch(m -> m.embeddingModel().startsWith("minilm/")));
      // Found by meaning, not only by words.
      List<MemoryHit> hits = memory.search(agent.id(), "which locker has the umbrella in it", 3);
      assertTrue(hits.stream().anyMatch(h -> h.entry().content().contains("umbrella")), hits.toString());
    } finally {
      agents.delete(agent.id());
    }
  }

  @Test
  void theMemoryBundleStopsAndStartsAndFindsWhatWasSavedBefore(@InjectService(timeout = 30_000) ChatService chat,
      @InjectService(timeout = 30_000) AgentRegistry agents) throws Exception {
    AgentProfile agent = agents.create(AgentInput.named("Restart Otter"));
    try {
      MemoryService memory = service(MemoryService.class);
      memory.save(agent.id(), otterbot.api.memory.MemoryInput.of("The user's bicycle is a red Dutch cargo bike",
          "fact", 7, "user"));
      Bundle bundle = bundle(MEMORY);
      bundle.stop();
      Await.until("the memory threads to stop with their bundle", Duration.ofSeconds(20), () -> Thread
          .getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("otterbot-memory")
              || t.getName().startsWith("otterbot-learning")));
      // A chat without the memory bundle still works.
      var r = new PluginHotInstallIT.Recorder();
      chat.send(agent.id(), "conv-itest-nomemory", "hello", r);
      assertTrue(r.done.await(30, TimeUnit.SECONDS));
      assertTrue(r.chunks.stream().noneMatch(c -> StreamChunk.ERROR.equals(c.kind())), r.chunks.toString());
      bundle.start();
      MemoryService again = Await.until("the memory service back", Duration.ofSeconds(30),
          () -> service(MemoryService.class));
      List<MemoryHit> hits = Await.until("the index rebuilt from the database", Duration.ofSeconds(60),
          () -> {
            List<MemoryHit> found = again.search(agent.id(), "what kind of bike do I ride", 3);
            return found.isEmpty() ? null : found;
          });
      assertTrue(hits.get(0).entry().content().contains("cargo bike"), hits.toString());
    } finally {
      agents.delete(agent.id());
    }
  }

  /**
   * The agent registry deletes an agent's memories and profile itself: deleted while the memory bundle is stopped, the
   * agent's rows must not wait for the bundle, or a new agent of the same name (so the same id) inherits them.
   */
  @Test
  void anAgentDeletedWhileTheMemoryBundleIsStoppedTakesItsMemoriesAndProfile(
      @InjectService(timeout = 30_000) AgentRegistry agents, @InjectService(timeout = 30_000) MemoryStore memories,
      @InjectService(timeout = 30_000) ProfileStore profiles) throws Exception {
    AgentProfile agent = agents.create(AgentInput.named("Forgotten Otter"));
    String id = agent.id();
    try {
      MemoryService memory = service(MemoryService.class);
      memory.save(id, otterbot.api.memory.MemoryInput.of("The user keeps bees on the roof", "fact", 7, "user"));
      memory.confirm(id, "facts", "The user keeps bees");
      assertEquals(1, memories.count(id));
      assertTrue(profiles.profile(id).isPresent());
      Bundle bundle = bundle(MEMORY);
      bundle.stop();
      try {
        agents.delete(id);
        assertEquals(0, memories.count(id), "the memories went with the agent");
        assertTrue(profiles.profile(id).isEmpty(), "the learned profile went with the agent");
      } finally {
        bundle.start();
      }
      AgentProfile again = agents.create(AgentInput.named("Forgotten Otter"));
      assertEquals(id, again.id(), "the same name gives the same id");
      MemoryService restarted = Await.until("the memory service back", Duration.ofSeconds(30),
          () -> service(MemoryService.class));
      assertTrue(restarted.list(id, 10).isEmpty(), "the new agent starts without the old one's memories");
      assertTrue(restarted.search(id, "bees on the roof", 3).isEmpty());
    } finally {
      if (agents.get(id).isPresent()) {
        agents.delete(id);
      }
    }
  }

  static final List<String> THINGS = List.of("umbrella", "tennis racket", "winter coat", "passport", "laptop charger",
      "running shoes", "birthday present", "toolbox");

  private Bundle bundle(String symbolicName) {
    return Arrays.stream(context.getBundles()).filter(b -> symbolicName.equals(b.getSymbolicName())).findFirst()
        .orElseThrow(() -> new AssertionError(symbolicName + " is not installed"));
  }

  private <T> T service(Class<T> type) {
    var ref = context.getServiceReference(type);
    return ref == null ? null : context.getService(ref);
  }

  private static void awaitTurns(AtomicInteger turns, int atLeast) {
    Await.until(atLeast + " turns", Duration.ofSeconds(120), () -> turns.get() >= atLeast);
  }
}
