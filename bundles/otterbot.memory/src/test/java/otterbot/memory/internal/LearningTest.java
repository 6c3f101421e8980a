package otterbot.memory.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import otterbot.api.memory.MemoryEntry;
import otterbot.api.memory.MemoryInput;
import otterbot.api.memory.UserProfile;
import otterbot.api.persistence.ConversationStore;
import otterbot.api.persistence.StoredMessage;
import otterbot.api.provider.ChatRequest;
import otterbot.api.provider.ModelProvider;

class LearningTest {
  final MapMemoryStore store = new MapMemoryStore();
  final MapProfileStore profiles = new MapProfileStore();
  final Fixtures.Agents agents = new Fixtures.Agents(Fixtures.agent("alice", "scripted", true),
      Fixtures.agent("quiet", "scripted", false), Fixtures.agent("demo", "builtin", true));
  final Fixtures.WordsEmbedder embedder = new Fixtures.WordsEmbedder("words");
  final List<StoredMessage> messages = new CopyOnWriteArrayList<>();
  final ConversationStore conversations = new ConversationStore() {
    @Override
    public Optional<String> owner(String conversationId) {
      return Optional.of("alice");
    }

    @Override
    public void append(String agentId, StoredMessage message) {
      messages.add(message);
    }

    @Override
    public List<StoredMessage> messages(String conversationId) {
      return List.copyOf(messages);
    }

    @Override
    public int deleteAll(String agentId) {
      return 0;
    }
  };
  Fixtures.ScriptedChat chat;
  MemoryServiceImpl memory;
  Learning learning;

  void start(Function<ChatRequest, String> script) {
    chat = new Fixtures.ScriptedChat("scripted", script);
    var models = new Fixtures.Models().add(embedder).add(chat);
    memory = new MemoryServiceImpl(store, profiles, agents, new Embedders(models, Fixtures.CREDENTIALS,
        Fixtures.SETTINGS, Duration.ofSeconds(5)), Fixtures.config(Map.of("learningTimeoutSeconds", 5)),
        Clock.systemUTC());
    memory.bindEmbedder(embedder, Map.of(ModelProvider.PROVIDER_ID, "words"));
    learning = new Learning(memory, profiles, conversations, models, Fixtures.CREDENTIALS, Fixtures.SETTINGS, agents,
        Clock.systemUTC());
  }

  @AfterEach
  void stop() {
    if (learning != null) {
      learning.close();
      memory.close();
    }
  }

  void say(String role, String text) {
    messages.add(new StoredMessage("m" + messages.size(), "conv-1", role, text, Instant.now()));
  }

  static String scripted(ChatRequest r, String facts, String profile) {
    if (r.system().startsWith(Learning.SUMMARY_PROMPT)) {
      return "SUMMARY:\nThey talked about the cat.\n\nKEY_POINTS:\n[\"cat is Miso\", \"lives in Paris\"]";
    }
    if (r.system().startsWith(Learning.FACTS_PROMPT)) {
      return "Here you go:\n" + facts;
    }
    if (r.system().startsWith(Learning.PROFILE_PROMPT)) {
      return profile;
    }
    return "?";
  }

  @Test
  void aClosedConversationYieldsFactsAProfileAndASummaryOnce() {
    start(r -> scripted(r, "[{\"content\":\"The user's cat is called Miso\",\"category\":\"fact\",\"importance\":7,"
        + "\"entities\":[\"Miso\"],\"temporal\":\"current\"},{\"content\":\"  \"},{\"category\":\"fact\"},"
        + "{\"content\":\"The user prefers tea\",\"category\":\"taste\",\"importance\":42,\"temporal\":\"always\"}]",
        "{\"name\":\"Sam\",\"preferences\":[{\"content\":\"Tea over coffee\",\"confidence\":6}],"
        + "\"goals\":[{\"content\":\"no confidence\"}],\"facts\":[],\"notes\":\"likes cats\"}"));
    say("user", "My cat is called Miso and I prefer tea.");
    say("assistant", "Nice!");
    assertTrue(learning.learn("alice", "conv-1", "close"));

    List<MemoryEntry> saved = memory.list("alice", 10);
    assertEquals(2, saved.size(), saved.toString());
    MemoryEntry cat = saved.stream().filter(e -> e.content().contains("Miso")).findFirst().orElseThrow();
    assertEquals("agent", cat.source());
    assertEquals(List.of("Miso"), cat.entityRefs());
    assertEquals("current", cat.temporalMarker());
    MemoryEntry tea = saved.stream().filter(e -> e.content().contains("tea")).findFirst().orElseThrow();
    assertEquals("general", tea.category(), "an unknown category is general");
    assertEquals(10, tea.importance(), "importance is clamped");
    assertNull(tea.temporalMarker(), "an invalid temporal marker is null");

    UserProfile p = memory.profile("alice");
    assertEquals("Sam", p.name());
    assertEquals(List.of("Tea over coffee"), p.preferences().stream().map(f -> f.content()).toList());
    assertEquals(List.of(), p.goals(), "items without a numeric confidence are dropped");
    assertEquals("likes cats", p.notes());
    var record = profiles.learning("conv-1").orElseThrow();
    assertEquals("They talked about the cat.", record.summary());
    assertEquals(List.of("cat is Miso", "lives in Paris"), record.keyPoints());
    assertEquals(2, record.learnedMessages());

    // The transcript went to the agent's own model, with its own secrets.
    ChatRequest summaryCall = chat.requests.get(0);
    assertTrue(summaryCall.messages().get(0).content().contains("USER: My cat is called Miso"));
    assertEquals("secret-of-alice", summaryCall.secrets().get("KEY"));

    // Closing again with nothing new asks no model; a new message is learned from on the next close.
    int calls = chat.requests.size();
    assertFalse(learning.learn("alice", "conv-1", "close"));
    assertEquals(calls, chat.requests.size());
    say("user", "Also I run marathons.");
    assertTrue(learning.learn("alice", "conv-1", "idle"));
    assertTrue(chat.requests.get(calls).messages().get(0).content().contains("marathons"));
    assertFalse(chat.requests.get(calls).messages().get(0).content().contains("Miso"), "only what is new");
    assertEquals(2, memory.list("alice", 10).size(), "the same facts again are re-confirmed, not duplicated");
  }

  @Test
  void aFactThatContradictsAMemorySupersedesIt() {
    start(r -> {
      if (r.system().startsWith(Learning.FACTS_PROMPT)) {
        Matcher m = Pattern.compile("- \\[([^\\]]+)\\] The user lives in Berlin").matcher(r.messages().get(0).content());
        String id = m.find() ? m.group(1) : "missing";
        return "[{\"content\":\"The user moved to Paris\",\"category\":\"fact\",\"importance\":7,\"supersedes\":\""
            + id + "\"}]";
      }
      return scripted(r, "[]", "{}");
    });
    MemoryEntry berlin = memory.save("alice", MemoryInput.of("The user lives in Berlin", "fact", 7, "user"));
    say("user", "I don't live in Berlin any more, the user moved: I live in Paris now.");
    learning.learn("alice", "conv-1", "close");
    MemoryEntry old = memory.list("alice", 10).stream().filter(e -> e.id().equals(berlin.id())).findFirst()
        .orElseThrow();
    assertTrue(old.supersededBy() != null, "superseded, not duplicated: " + memory.list("alice", 10));
    assertEquals(List.of("The user moved to Paris"),
        memory.search("alice", "where does the user live Berlin Paris", 5).stream().map(h -> h.entry().content())
            .toList());
  }

  @Test
  void malformedOutputSavesNothingAndBreaksNothing() {
    start(r -> r.system().startsWith(Learning.SUMMARY_PROMPT) ? "just some words" : "I cannot do JSON {oops [");
    say("user", "Hello there, I am Kim.");
    assertTrue(learning.learn("alice", "conv-1", "close"));
    assertEquals(List.of(), memory.list("alice", 10));
    assertTrue(memory.profile("alice").isEmpty());
    assertEquals("just some words", profiles.learning("conv-1").orElseThrow().summary());
  }

  @Test
  void aModelThatDoesNotAnswerIsTriedAgainAtTheNextClose() {
    start(r -> null);
    say("user", "Hello there, I am Kim.");
    learning.learn("alice", "conv-1", "close");
    assertTrue(profiles.learning("conv-1").isEmpty(), "not marked as learned");
    assertEquals(3, chat.requests.size(), "each step tried once, no retry loop");
  }

  @Test
  void noLearningWhenSwitchedOffOrOnTheBuiltInModel() {
    start(r -> scripted(r, "[{\"content\":\"x y z\"}]", "{}"));
    say("user", "I love jazz");
    assertFalse(learning.learn("quiet", "conv-1", "close"));
    assertFalse(learning.learn("demo", "conv-1", "close"));
    assertFalse(learning.learn("nobody", "conv-1", "close"));
    assertEquals(0, chat.requests.size());
  }

  /** From four messages on, the learner may write a skill; SKIP or nonsense writes none, and neither do short talks. */
  @Test
  void aLongEnoughConversationMayTeachASkill() {
    java.util.List<String> authored = new CopyOnWriteArrayList<>();
    otterbot.api.skill.SkillService skills = (otterbot.api.skill.SkillService) java.lang.reflect.Proxy.newProxyInstance(
        getClass().getClassLoader(), new Class<?>[] {otterbot.api.skill.SkillService.class}, (proxy, method, args) -> {
          switch (method.getName()) {
            case "list":
              return List.of();
            case "createAuthored":
              authored.add(args[0] + " " + args[1] + " | " + args[2] + " | " + args[3] + " | " + args[4]);
              var meta = new otterbot.api.skill.SkillMeta((String) args[1], (String) args[2], "1.0.0",
                  (String) args[0], null, null, null, null, null, null, null, null);
              return new otterbot.api.skill.Skill("s1", (String) args[0], meta, (String) args[3], "authored", "clean",
                  List.of(), 0, Instant.now(), Instant.now(), null);
            default:
              throw new UnsupportedOperationException(method.getName());
          }
        });
    java.util.concurrent.atomic.AtomicReference<String> answer = new java.util.concurrent.atomic.AtomicReference<>(
        "{\"name\":\"weekly-report\",\"description\":\"Write the weekly report\",\"body\":\"1. Collect.\\n2. Write.\","
            + "\"tags\":[\"work\"]}");
    start(r -> r.system().startsWith(Learning.SKILL_PROMPT) ? answer.get() : scripted(r, "[]", "{}"));
    learning.setSkills(skills);
    say("user", "How do I write the weekly report?");
    say("assistant", "Collect the numbers, then write.");
    learning.learn("alice", "conv-1", "close");
    assertEquals(0, chat.count(Learning.SKILL_PROMPT), "two messages teach no skill");
    say("user", "And then?");
    say("assistant", "Send it on Friday.");
    say("user", "Thanks, that works.");
    learning.learn("alice", "conv-1", "close");
    assertEquals(1, chat.count(Learning.SKILL_PROMPT));
    assertEquals(List.of("alice weekly-report | Write the weekly report | 1. Collect.\n2. Write. | [work]"), authored);
    answer.set("SKIP");
    say("user", "One more question about reports.");
    say("assistant", "Sure.");
    say("user", "Fine.");
    say("assistant", "Good.");
    learning.learn("alice", "conv-1", "close");
    answer.set("I would rather not {");
    say("user", "Again.");
    say("assistant", "Again.");
    say("user", "Again!");
    say("assistant", "Again!");
    learning.learn("alice", "conv-1", "close");
    assertEquals(3, chat.count(Learning.SKILL_PROMPT));
    assertEquals(1, authored.size(), "SKIP and nonsense write no skill");
  }

  /**
   * Learning runs on its own thread: while the agent's model hangs on a learning call, closing more conversations
   * returns at once and "remember ..." is still saved on the caller's thread.
   */
  @Test
  void aHangingLearningModelNeverHoldsUpTheChat() throws Exception {
    var release = new java.util.concurrent.CountDownLatch(1);
    var asked = new java.util.concurrent.CountDownLatch(1);
    List<Thread> modelThreads = new CopyOnWriteArrayList<>();
    start(r -> {
      modelThreads.add(Thread.currentThread());
      asked.countDown();
      try {
        release.await(30, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return "[]";
    });
    try {
      say("user", "I like chess.");
      var alice = agents.profiles.get("alice");
      learning.closed(alice, "conv-1", "close");
      assertTrue(asked.await(10, java.util.concurrent.TimeUnit.SECONDS), "the learner is waiting for the model");
      var caller = Thread.currentThread();
      for (int i = 0; i < 5; i++) {
        learning.closed(alice, "conv-other-" + i, "disconnect"); // queued behind it, not run here
      }
      learning.messageReceived(alice, "conv-2", "Remember that the spare key is under the mat");
      assertEquals(List.of("The spare key is under the mat"), memory.list("alice", 10).stream()
          .map(MemoryEntry::content).toList(), "saved while the learner hangs");
      assertTrue(modelThreads.stream().noneMatch(t -> t == caller), "no model call on the caller's thread");
      assertEquals(1, chat.requests.size(), "the other closes wait their turn: " + chat.requests.size());
    } finally {
      release.countDown();
    }
  }

  @Test
  void rememberIsSavedAtOnce() {
    start(r -> "?");
    learning.messageReceived(agents.profiles.get("alice"), "conv-1", "Remember that my cat is called Miso");
    learning.messageReceived(agents.profiles.get("alice"), "conv-1", "Do you remember what my cat is called?");
    learning.messageReceived(agents.profiles.get("alice"), "conv-1", "Hi. Please remember: always answer in French.");
    List<MemoryEntry> saved = memory.list("alice", 10);
    assertEquals(2, saved.size(), saved.toString());
    assertTrue(saved.stream().anyMatch(e -> e.content().equals("My cat is called Miso") && e.category().equals("fact")
        && e.source().equals("user") && e.importance() == 8));
    assertTrue(saved.stream().anyMatch(e -> e.content().equals("Always answer in French.")
        && e.category().equals("instruction")));
    assertNull(Learning.rememberRequest("I remember nothing"));
    assertNull(Learning.rememberRequest("remember?"));
    assertEquals("I like dark roast", Learning.rememberRequest("Don't forget I like dark roast"));
    assertEquals("preference", Learning.category("I like dark roast"));
  }
}
