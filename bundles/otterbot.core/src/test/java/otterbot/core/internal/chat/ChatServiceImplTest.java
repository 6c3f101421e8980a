package otterbot.core.internal.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import otterbot.api.OtterbotException;
import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.AgentRegistry;
import otterbot.api.agent.ModelRef;
import otterbot.api.chat.AgentStatusListener;
import otterbot.api.chat.ChatListener;
import otterbot.api.chat.StreamChunk;
import otterbot.api.credentials.CredentialService;
import otterbot.api.persistence.ConversationStore;
import otterbot.api.persistence.StoredMessage;
import otterbot.api.provider.ChatCall;
import otterbot.api.provider.ChatMessage;
import otterbot.api.provider.ChatRequest;
import otterbot.api.provider.ChatSink;
import otterbot.api.provider.ModelProvider;
import otterbot.api.provider.ProviderInfo;
import otterbot.api.provider.ToolCall;
import otterbot.api.settings.GlobalSettings;
import otterbot.api.settings.SettingsService;
import otterbot.api.tool.Tool;
import otterbot.api.tool.ToolContext;
import otterbot.core.internal.MapAgents;
import otterbot.core.internal.providers.ModelServiceImpl;

/** The chat turn against in-memory stores and a scripted provider, outside OSGi. */
class ChatServiceImplTest {
  static final String SECRET = "sk-very-secret-value-42";

  final Map<String, AgentProfile> agents = new HashMap<>();
  final Map<String, List<StoredMessage>> conversations = Collections.synchronizedMap(new HashMap<>());
  final Map<String, String> owners = Collections.synchronizedMap(new HashMap<>());
  final List<String> statuses = new CopyOnWriteArrayList<>();
  final List<ChatRequest> requests = new CopyOnWriteArrayList<>();
  /** Thrown by the store's append while set. */
  volatile RuntimeException appendFailure;
  /** While set, the store's append waits for it to open (then fails with appendFailure, if that is set). */
  volatile CountDownLatch appendGate;
  volatile ModelRef globalDefault = new ModelRef("builtin", "offline");
  /** What the scripted provider does with each request. */
  volatile BiConsumer<ChatRequest, ChatSink> script = (request, sink) -> {
    sink.text("Hello");
    sink.text(", world");
    sink.completed("stop");
  };
  final List<Boolean> cancels = new CopyOnWriteArrayList<>();
  /** Whether the scripted provider answers inside chat(), before it returns the call. */
  volatile boolean synchronous;

  ModelServiceImpl models;
  StatusBoard board;
  ChatServiceImpl chat;
  ModelProvider scripted;
  SettingsService settings;

  @BeforeEach
  void setUp() {
    agents.put("coo", profile("coo", new ModelRef("scripted", "m1")));
    settings = new SettingsService() {
      @Override
      public boolean onboardingComplete() {
        return true;
      }

      @Override
      public void completeOnboarding() {}

      @Override
      public GlobalSettings global() {
        return new GlobalSettings("obsidian", globalDefault, globalDefault, Map.of());
      }

      @Override
      public GlobalSettings updateGlobal(GlobalSettings incoming) {
        throw new UnsupportedOperationException();
      }

      @Override
      public Map<String, String> providerSecrets() {
        return Map.of("SCRIPTED_API_KEY", SECRET);
      }
    };
    models = new ModelServiceImpl(settings);
    scripted = new ModelProvider() {
      @Override
      public ProviderInfo info() {
        return new ProviderInfo("scripted", "Scripted", true, false, false, null, null, null);
      }

      @Override
      public List<String> listModels(Map<String, String> secrets) {
        return List.of("m1");
      }

      @Override
      public ChatCall chat(ChatRequest request, ChatSink sink) {
        requests.add(request);
        if (synchronous) {
          script.accept(request, sink);
        } else {
          new Thread(() -> script.accept(request, sink)).start();
        }
        return () -> cancels.add(true);
      }
    };
    models.bindProvider(scripted, Map.of(ModelProvider.PROVIDER_ID, "scripted"));
    board = new StatusBoard();
    board.listeners = List.of((AgentStatusListener) (agentId, status) -> statuses.add(agentId + ":" + status));
    chat = new ChatServiceImpl(new MapAgents(agents), models, credentials(), store(), settings, board,
        ChatLimits.DEFAULTS);
  }

  /** Replaces the chat service with one with these limits. */
  void limits(ChatLimits limits) throws InterruptedException {
    chat.deactivate();
    chat = new ChatServiceImpl(new MapAgents(agents), models, credentials(), store(), settings, board, limits);
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    chat.deactivate();
  }

  @Test
  void aTurnStreamsTokensStoresBothMessagesAndTheNextTurnSeesTheHistory() throws Exception {
    Recorder first = send("coo", "conv-1", "hi there");
    assertEquals(List.of(StreamChunk.token("Hello"), StreamChunk.token(", world")), first.chunks);
    assertEquals(List.of("user:hi there", "assistant:Hello, world"), stored("conv-1"));
    assertEquals(List.of("coo:thinking", "coo:idle"), statuses);

    send("coo", "conv-1", "again");
    ChatRequest second = requests.get(1);
    assertEquals(List.of("user:hi there", "assistant:Hello, world", "user:again"),
        second.messages().stream().map(m -> m.role() + ":" + m.content()).toList());
    assertEquals("m1", second.modelId());
    assertEquals(SECRET, second.secrets().get("SCRIPTED_API_KEY"), "the provider gets the effective secrets");
    assertTrue(second.system().contains("coo"), second.system());
  }

  @Test
  void aMessageThatCannotBeStoredIsNeverAnsweredAndTheTurnSaysWhy() throws Exception {
    appendFailure = otterbot.api.OtterbotException.unavailable("cannot append to conversation 'conv-x': disk full",
        null);
    Recorder r = send("coo", "conv-x", "hello?");
    assertEquals(List.of("error"), r.kinds(), r.chunks.toString());
    assertTrue(r.chunks.get(0).message().contains("disk full"), r.chunks.toString());
    assertEquals(List.of(), requests, "the model was not called");
    assertEquals(List.of(), stored("conv-x"), "no reply stored after a message that was not");
    appendFailure = null;
    send("coo", "conv-x", "hello again");
    assertEquals(List.of("user:hello again", "assistant:Hello, world"), stored("conv-x"));
  }

  @Test
  void inAConversationHeldInMemoryTheModelIsCalledWhileTheMessageIsStoredAndAnswersOnceItIs() throws Exception {
    send("coo", "conv-o", "first");
    var answered = new CountDownLatch(1);
    script = (request, sink) -> {
      sink.text("Hello");
      sink.text(", world");
      sink.completed("stop");
      answered.countDown();
    };
    appendGate = new CountDownLatch(1);
    Recorder r = new Recorder();
    chat.send("coo", "conv-o", "second", r);

    assertTrue(answered.await(20, TimeUnit.SECONDS), "the model was called while the commit ran");
    assertEquals(List.of("user:first", "assistant:Hello, world", "user:second"),
        requests.get(1).messages().stream().map(m -> m.role() + ":" + m.content()).toList(),
        "the model sees the message being stored");
    Thread.sleep(100);
    assertEquals(List.of(), r.chunks, "nothing is answered before the message is stored");
    appendGate.countDown();
    assertTrue(r.done.await(20, TimeUnit.SECONDS));
    assertEquals(List.of("token", "token"), r.kinds(), "what was held comes as the chunks it would have been");
    assertEquals(List.of("Hello", ", world"), r.chunks.stream().map(StreamChunk::text).toList());
    assertEquals(List.of("user:first", "assistant:Hello, world", "user:second", "assistant:Hello, world"),
        stored("conv-o"));
  }

  @Test
  void aMessageWhoseCommitFailsWhileTheModelAnswersShowsOnlyTheError() throws Exception {
    send("coo", "conv-f", "first");
    var answering = new CountDownLatch(1);
    var finish = new CountDownLatch(1);
    script = (request, sink) -> {
      sink.text("Secret plan");
      answering.countDown();
      try {
        finish.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      sink.text(" continues");
      sink.completed("stop");
    };
    appendGate = new CountDownLatch(1);
    appendFailure = otterbot.api.OtterbotException.unavailable("cannot append to conversation 'conv-f': disk full",
        null);
    Recorder r = new Recorder();
    chat.send("coo", "conv-f", "second", r);

    assertTrue(answering.await(20, TimeUnit.SECONDS));
    appendGate.countDown();
    assertTrue(r.done.await(20, TimeUnit.SECONDS));
    finish.countDown();
    assertEquals(List.of("error"), r.kinds(), r.chunks.toString());
    assertTrue(r.chunks.get(0).message().contains("disk full"), r.chunks.toString());
    assertEquals(List.of(true), cancels, "the model's call was cancelled");
    appendFailure = null;
    assertEquals(List.of("user:first", "assistant:Hello, world"), stored("conv-f"), "no reply stored");
  }

  @Test
  void aToolCallRunsTheToolAndTheModelSeesItsResult() throws Exception {
    chat.addTool(tool("lookup", (ctx, args) -> "{\"found\":" + args + ",\"agent\":\"" + ctx.agent().id() + "\"}"));
    script = (request, sink) -> {
      ChatMessage last = request.messages().get(request.messages().size() - 1);
      if (last.role().equals(ChatMessage.TOOL)) {
        sink.text("The tool said " + last.content());
        sink.completed("stop");
      } else {
        sink.text("Let me look. ");
        sink.toolCall(new ToolCall("call-1", "lookup", "{\"q\":\"otters\"}"));
        sink.completed("tool_calls");
      }
    };
    Recorder r = send("coo", "conv-t", "find otters");
    assertEquals(List.of("token", "tool_start", "tool_end", "token"), r.kinds());
    assertEquals("lookup", r.chunks.get(1).name());
    assertEquals("otters", ((com.fasterxml.jackson.databind.JsonNode) r.chunks.get(1).args()).get("q").asText());
    assertEquals("{\"found\":{\"q\":\"otters\"},\"agent\":\"coo\"}", r.chunks.get(2).result().toString());
    ChatRequest second = requests.get(1);
    ChatMessage assistant = second.messages().get(second.messages().size() - 2);
    assertEquals(List.of(new ToolCall("call-1", "lookup", "{\"q\":\"otters\"}")), assistant.toolCalls());
    assertEquals("call-1", second.messages().get(second.messages().size() - 1).toolCallId());
    assertEquals(List.of("coo:thinking", "coo:working", "coo:idle"), statuses);
    assertEquals("assistant:Let me look. The tool said {\"found\":{\"q\":\"otters\"},\"agent\":\"coo\"}",
        stored("conv-t").get(1), "the whole reply is stored, tool traffic is not");
  }

  @Test
  void aToolRepeatedWithTheSameArgumentsIsRefusedAfterThreeCallsAndTheModelMustAnswer() throws Exception {
    List<String> invoked = new CopyOnWriteArrayList<>();
    chat.addTool(tool("ping", (ctx, args) -> {
      invoked.add(args);
      return "{\"pong\":true}";
    }));
    script = (request, sink) -> {
      if (request.tools().isEmpty()) {
        sink.text("giving up");
      } else {
        // Same call, keys in a different order each time: still the same call.
        sink.toolCall(new ToolCall("c" + request.messages().size(), "ping",
            request.messages().size() % 2 == 0 ? "{\"a\":1,\"b\":2}" : "{\"b\":2, \"a\":1}"));
      }
      sink.completed("stop");
    };
    Recorder r = send("coo", "conv-r", "loop");
    assertEquals(3, invoked.size(), "the fourth identical call is not run");
    assertEquals(5, requests.size(), "four tool steps, then one without tools");
    assertTrue(requests.get(4).tools().isEmpty());
    String refusal = r.chunks.stream().filter(c -> c.kind().equals("tool_end")).reduce((a, b) -> b).orElseThrow()
        .result().toString();
    assertTrue(refusal.contains("already called 3 times"), refusal);
    assertEquals("giving up", r.chunks.get(r.chunks.size() - 1).text());
  }

  @Test
  void aModelThatNeverStopsCallingToolsIsStoppedAfterEightSteps() throws Exception {
    chat.addTool(tool("step", (ctx, args) -> "{}"));
    script = (request, sink) -> {
      sink.toolCall(new ToolCall("c", "step", "{\"n\":" + request.messages().size() + "}"));
      sink.completed("tool_calls");
    };
    Recorder r = send("coo", "conv-8", "go");
    assertEquals(8, requests.size());
    assertEquals("error", r.chunks.get(r.chunks.size() - 1).kind());
    assertTrue(r.chunks.get(r.chunks.size() - 1).message().contains("8 model steps"));
  }

  @Test
  void unknownAgentMissingTextAndProviderFailuresAreErrorChunksFollowedByDone() throws Exception {
    assertEquals(List.of(StreamChunk.error("Unknown agent: nobody")), send("nobody", "conv-x", "hi").chunks);
    assertEquals(List.of(StreamChunk.error("text is required")), send("coo", "conv-x", "  ").chunks);
    assertEquals(List.of(StreamChunk.error("text is required")), send("coo", "conv-x", null).chunks);

    script = (request, sink) -> {
      sink.text("partial");
      sink.failed("provider returned 401 Unauthorized: bad key " + SECRET);
    };
    Recorder r = send("coo", "conv-f", "hi");
    assertEquals(List.of("token", "error"), r.kinds());
    assertFalse(r.chunks.get(1).message().contains(SECRET), "secrets are scrubbed: " + r.chunks.get(1).message());
    assertTrue(r.chunks.get(1).message().startsWith("provider returned 401 Unauthorized"));
    assertEquals(List.of("user:hi", "assistant:partial"), stored("conv-f"));
    assertEquals(List.of("coo:thinking", "coo:error"), statuses.subList(statuses.size() - 2, statuses.size()),
        "a failed turn leaves the agent in error");

    script = (request, sink) -> sink.failed("cannot reach Scripted at http://127.0.0.1:9/v1: connection refused");
    statuses.clear();
    assertEquals("cannot reach Scripted at http://127.0.0.1:9/v1: connection refused",
        send("coo", "conv-f", "again").chunks.get(0).message(), "an endpoint is not a secret: it is named");
    assertEquals(List.of("coo:thinking", "coo:error"), statuses, "from error a new turn thinks again");
    script = (request, sink) -> sink.completed("stop");
    send("coo", "conv-f", "fine now");
    assertEquals("coo:idle", statuses.get(statuses.size() - 1), "a turn that succeeds clears the error");
  }

  @Test
  void anUnknownProviderIsNamedWithTheInstalledOnes() throws Exception {
    agents.put("lost", profile("lost", new ModelRef("nowhere", "m")));
    Recorder r = send("lost", "conv-u", "hi");
    assertEquals(List.of(StreamChunk.error("Unknown provider: nowhere (installed: scripted)")), r.chunks);
  }

  @Test
  void anAgentOnTheBuiltInPlaceholderFollowsTheGlobalDefaultModel() throws Exception {
    agents.put("fresh", profile("fresh", new ModelRef("builtin", "offline")));
    globalDefault = new ModelRef("scripted", "chosen");
    send("fresh", "conv-b", "hi");
    assertEquals("chosen", requests.get(0).modelId());
  }

  @Test
  void cancelAbortsTheStreamAndStillEndsTheTurn() throws Exception {
    CountDownLatch streaming = new CountDownLatch(1);
    script = (request, sink) -> {
      sink.text("first");
      streaming.countDown();
      // never completes: only a cancel ends this step
    };
    Recorder r = new Recorder();
    var turn = chat.send("coo", "conv-c", "hi", r);
    assertTrue(streaming.await(10, TimeUnit.SECONDS));
    turn.cancel();
    assertTrue(r.done.await(10, TimeUnit.SECONDS), "done after cancel");
    assertEquals(List.of(true), cancels, "the provider call was aborted");
    assertEquals(List.of(StreamChunk.token("first")), r.chunks);
    waitFor(() -> stored("conv-c").size() == 2);
    assertEquals("assistant:first", stored("conv-c").get(1), "what was said is kept");
    assertEquals(1, r.doneCount, "done exactly once");
  }

  @Test
  void aCallThatCompletedBeforeChatReturnedIsNotCancelled() throws Exception {
    // Cancelling a finished HTTP call could close a pooled connection that already carries another request.
    synchronous = true;
    Recorder r = send("coo", "conv-s", "hi");
    assertEquals(List.of(StreamChunk.token("Hello"), StreamChunk.token(", world")), r.chunks);
    assertEquals(List.of(), cancels);
  }

  @Test
  void aProviderRemovedMidStreamEndsTheTurnWithAClearError() throws Exception {
    CountDownLatch streaming = new CountDownLatch(1);
    script = (request, sink) -> {
      sink.text("first");
      streaming.countDown();
    };
    Recorder r = new Recorder();
    chat.send("coo", "conv-p", "hi", r);
    assertTrue(streaming.await(10, TimeUnit.SECONDS));
    models.unbindProvider(scripted);
    assertTrue(r.done.await(10, TimeUnit.SECONDS));
    assertEquals("error", r.chunks.get(1).kind());
    assertTrue(r.chunks.get(1).message().contains("'scripted' was uninstalled"), r.chunks.get(1).message());
  }

  @Test
  void newConversationIdsAreRandomEvenWhenClientsJoinAtTheSameMoment() {
    var ids = new java.util.HashSet<String>();
    for (int i = 0; i < 1000; i++) {
      ids.add(chat.join("coo", null).conversationId());
    }
    assertEquals(1000, ids.size());
  }

  @Test
  void joinResumesOnlyTheSameAgentsConversation() throws Exception {
    send("coo", "conv-j", "hi");
    assertTrue(chat.join("coo", "conv-j").resumed());
    agents.put("other", profile("other", new ModelRef("scripted", "m1")));
    var foreign = chat.join("other", "conv-j");
    assertFalse(foreign.resumed());
    assertTrue(foreign.conversationId().matches("conv-[0-9a-f-]{36}"), foreign.conversationId());
    assertTrue(chat.join("coo", "bad id with spaces").conversationId().matches("conv-[0-9a-f-]{36}"));
    var fresh = chat.join("coo", "my-own-id");
    assertEquals("my-own-id", fresh.conversationId());
    assertFalse(fresh.resumed());
  }

  // ------------------------------------------------------------------------------------------------ bounds

  @Test
  void turnsBeyondTheGlobalCapAreRefusedAtOnceAndTheRunningOnesAreUnaffected() throws Exception {
    limits(ChatLimits.DEFAULTS.withMaxRunningTurns(2));
    CountDownLatch release = new CountDownLatch(1);
    script = (request, sink) -> {
      try {
        release.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        return;
      }
      sink.text("late");
      sink.completed("stop");
    };
    Recorder first = new Recorder();
    Recorder second = new Recorder();
    chat.send("coo", "conv-g1", "one", first);
    chat.send("coo", "conv-g2", "two", second);
    Recorder third = new Recorder();
    chat.send("coo", "conv-g3", "three", third);
    assertTrue(third.done.await(5, TimeUnit.SECONDS), "the excess turn is answered at once");
    assertEquals(1, third.chunks.size());
    assertTrue(third.chunks.get(0).message().contains("maxRunningTurns"), third.chunks.toString());
    assertEquals(List.of(), stored("conv-g3"), "a refused turn stores nothing");
    release.countDown();
    assertTrue(first.done.await(20, TimeUnit.SECONDS));
    assertTrue(second.done.await(20, TimeUnit.SECONDS));
    assertEquals(List.of(StreamChunk.token("late")), first.chunks);
    waitFor(() -> send0("coo", "conv-g4", "again").kinds().equals(List.of("token")));
  }

  @Test
  void aTurnWhoseModelNeverAnswersEndsAtItsDeadlineWithAnError() throws Exception {
    limits(ChatLimits.DEFAULTS.withTurnTimeout(java.time.Duration.ofSeconds(1)));
    script = (request, sink) -> sink.text("thinking...");
    Recorder r = send("coo", "conv-d", "hi");
    assertEquals(List.of("token", "error"), r.kinds());
    assertTrue(r.chunks.get(1).message().contains("longer than 1 s"), r.chunks.toString());
    assertEquals(List.of(true), cancels, "the provider call was aborted");
    waitFor(() -> stored("conv-d").size() == 2);
    assertEquals("assistant:thinking...", stored("conv-d").get(1));
    assertEquals(1, r.doneCount);
  }

  @Test
  void aProviderWhoseChatNeverReturnsFailsTheStepAfterTheStartTimeout() throws Exception {
    limits(ChatLimits.DEFAULTS.withProviderStartTimeout(java.time.Duration.ofSeconds(1)));
    synchronous = true;
    script = (request, sink) -> {
      try {
        Thread.sleep(60_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
    Recorder r = send("coo", "conv-h", "hi");
    assertEquals(List.of(StreamChunk.error("the model provider 'scripted' did not start the call within 1 s")),
        r.chunks);
  }

  @Test
  void aReplyLongerThanTheLimitIsCutOffWithAnError() throws Exception {
    limits(ChatLimits.DEFAULTS.withMaxReplyChars(10));
    script = (request, sink) -> {
      sink.text("0123456");
      sink.text("789abcdef");
      sink.text("more");
      sink.completed("stop");
    };
    Recorder r = send("coo", "conv-l", "talk");
    assertEquals(List.of(StreamChunk.token("0123456"), StreamChunk.token("789")), r.chunks.subList(0, 2));
    assertEquals("error", r.chunks.get(2).kind());
    assertTrue(r.chunks.get(2).message().contains("longer than 10 characters"), r.chunks.toString());
    assertEquals(3, r.chunks.size());
    waitFor(() -> stored("conv-l").size() == 2);
    assertEquals("assistant:0123456789", stored("conv-l").get(1));
  }

  @Test
  void toolCallsBeyondThePerStepLimitAreNotRunAndTheModelIsTold() throws Exception {
    limits(ChatLimits.DEFAULTS.withMaxToolCallsPerStep(2));
    List<String> invoked = new CopyOnWriteArrayList<>();
    chat.addTool(tool("count", (ctx, args) -> {
      invoked.add(args);
      return "{}";
    }));
    script = (request, sink) -> {
      if (request.messages().get(request.messages().size() - 1).role().equals(ChatMessage.TOOL)) {
        sink.text("done");
      } else {
        for (int i = 0; i < 5; i++) {
          sink.toolCall(new ToolCall("c" + i, "count", "{\"n\":" + i + "}"));
        }
      }
      sink.completed("stop");
    };
    Recorder r = send("coo", "conv-n", "count");
    assertEquals(2, invoked.size());
    assertEquals(List.of("tool_start", "tool_end", "tool_start", "tool_end", "token"), r.kinds());
    List<ChatMessage> results = requests.get(1).messages().stream().filter(m -> m.role().equals(ChatMessage.TOOL))
        .toList();
    assertEquals(5, results.size(), "every call of the step gets an answer");
    assertTrue(results.get(4).content().contains("at most 2 tool calls"), results.get(4).content());
  }

  @Test
  void aToolThatHangsThrowsOrReturnsNonsenseNeverFailsTheTurn() throws Exception {
    limits(ChatLimits.DEFAULTS.withToolTimeout(java.time.Duration.ofSeconds(1)));
    chat.addTool(tool("hang", (ctx, args) -> {
      long end = System.nanoTime() + 10_000_000_000L;
      while (System.nanoTime() < end) {
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          // ignores interrupts on purpose
        }
      }
      return "{}";
    }));
    chat.addTool(tool("boom", (ctx, args) -> {
      throw new StackOverflowError("deep");
    }));
    chat.addTool(tool("nothing", (ctx, args) -> null));
    chat.addTool(tool("huge", (ctx, args) -> "x".repeat(10 * 1024 * 1024)));
    chat.addTool(tool("prose", (ctx, args) -> "not json at all"));
    script = (request, sink) -> {
      if (request.messages().get(request.messages().size() - 1).role().equals(ChatMessage.TOOL)) {
        sink.text("still here");
      } else {
        for (String name : List.of("hang", "boom", "nothing", "huge", "prose")) {
          sink.toolCall(new ToolCall("c-" + name, name, "{}"));
        }
      }
      sink.completed("stop");
    };
    Recorder r = send("coo", "conv-bad", "try them");
    assertEquals("still here", r.chunks.get(r.chunks.size() - 1).text());
    List<String> results = requests.get(1).messages().stream().filter(m -> m.role().equals(ChatMessage.TOOL))
        .map(ChatMessage::content).toList();
    assertTrue(results.get(0).contains("did not answer within 1 s"), results.get(0));
    assertTrue(results.get(1).contains("the tool failed"), results.get(1));
    assertEquals("null", results.get(2));
    assertTrue(results.get(3).contains("was dropped") && results.get(3).length() < 1000, results.get(3));
    assertEquals("not json at all", results.get(4));
  }

  @Test
  void theModelSeesTheNewestHistoryWithinTheBudgetAndAlwaysTheCurrentMessage() throws Exception {
    limits(ChatLimits.DEFAULTS.withHistoryCharBudget(30));
    script = (request, sink) -> {
      sink.text("0123456789"); // 10 characters each reply
      sink.completed("stop");
    };
    send("coo", "conv-w", "first message");
    send("coo", "conv-w", "second");
    send("coo", "conv-w", "x".repeat(50));
    assertEquals(List.of("user:first message"), contents(requests.get(0)));
    assertEquals(List.of("user:first message", "assistant:0123456789", "user:second"), contents(requests.get(1)),
        "13 + 10 + 6 characters fit in 30");
    assertEquals(List.of("user:" + "x".repeat(50)), contents(requests.get(2)),
        "the current message is sent even when it alone is over the budget");
    assertEquals(6, stored("conv-w").size(), "the whole history stays stored");
  }

  @Test
  void toolsWithBadNamesOrBadSchemasAreSkippedAndOfOneNameTheHighestRankingIsOffered() throws Exception {
    chat.addTool(tool("good_one", (ctx, args) -> "{}"));
    chat.addTool(tool("bad name!", (ctx, args) -> "{}"));
    chat.addTool(tool("x".repeat(65), (ctx, args) -> "{}"));
    chat.addTool(tool("good_one", (ctx, args) -> "{}"));
    chat.addTool(tool("bad_schema", (ctx, args) -> "{}", "{\"type\": \"object\", oops"));
    chat.addTool(tool("array_schema", (ctx, args) -> "{}", "[1, 2]"));
    chat.addTool(tool("string_schema", (ctx, args) -> "{}", "{\"type\":\"string\"}"));
    chat.addTool(tool("no_schema", (ctx, args) -> "{}", null));
    chat.addTool(new Tool() {
      @Override
      public String name() {
        throw new IllegalStateException("who am I");
      }

      @Override
      public String description() {
        return "";
      }

      @Override
      public String parameters() {
        return "{}";
      }

      @Override
      public String invoke(ToolContext context, String arguments) {
        return "{}";
      }
    });
    chat.addTool(tool("other-good", (ctx, args) -> "{}"));
    chat.bindTool(tool("ranked", (ctx, args) -> "{}", "{\"description\":\"low\"}"),
        Map.of(org.osgi.framework.Constants.SERVICE_RANKING, -1));
    chat.bindTool(tool("ranked", (ctx, args) -> "{}", "{\"description\":\"high\"}"),
        Map.of(org.osgi.framework.Constants.SERVICE_RANKING, 7));
    send("coo", "conv-tools", "hi");
    assertEquals(List.of("ranked", "good_one", "other-good"),
        requests.get(0).tools().stream().map(otterbot.api.provider.ToolSpec::name).toList());
    assertEquals("{\"description\":\"high\"}", requests.get(0).tools().get(0).parameters(),
        "of two tools with one name the higher ranking wins");
  }

  @Test
  void anAgentIdThatIsNotAnIdIsAnUnknownAgent() throws Exception {
    assertEquals(List.of(StreamChunk.error("Unknown agent: ../coo")), send("../coo", "conv-x", "hi").chunks);
    assertEquals("error", send("x".repeat(10_000), "conv-x", "hi").chunks.get(0).kind());
  }

  // --- prompt and conversation events (memory) -------------------------------------------------------------------

  /**
   * The system prompt is the persona, then the contributed sections in their order (a failing or slow contributor is
   * left out), then today's date; listeners hear the message before the prompt is built.
   */
  @Test
  void thePromptIsThePersonaTheSectionsInOrderAndTodayAndListenersComeFirst() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    chat.addConversationListener(new otterbot.api.chat.ConversationListener() {
      @Override
      public void messageReceived(AgentProfile agent, String conversationId, String text) {
        seen.add("message " + agent.id() + " " + conversationId + " " + text);
      }
    });
    chat.addPromptContributor(context -> "## Relevant memories\n- [fact] about " + context.userMessage(), 200);
    chat.addPromptContributor(context -> {
      seen.add("prompt");
      return "## What I know about the user\nName: Sam";
    }, 100);
    chat.addPromptContributor(context -> {
      throw new IllegalStateException("broken plug-in");
    }, 150);
    chat.addPromptContributor(context -> null, 50);
    send("coo", "conv-p", "cats");
    String system = requests.get(0).system();
    int persona = system.indexOf("Persona of coo");
    int profile = system.indexOf("## What I know about the user\nName: Sam");
    int memories = system.indexOf("## Relevant memories\n- [fact] about cats");
    int today = system.indexOf("## Today\n" + java.time.LocalDate.now(java.time.ZoneOffset.UTC));
    assertTrue(persona >= 0 && persona < profile && profile < memories && memories < today, system);
    assertFalse(system.contains("broken"), system);
    assertEquals(List.of("message coo conv-p cats", "prompt"), seen, "the listener runs before the prompt is built");
  }

  /**
   * A conversation listener that never returns must not cost the turn its sections or its answer: after its time its
   * call is interrupted and given up, and the prompt is written without it.
   */
  @Test
  void aListenerThatHangsIsGivenUpAndThePromptStillHasItsSections() throws Exception {
    var hung = new java.util.concurrent.CountDownLatch(1);
    var interrupted = new java.util.concurrent.CountDownLatch(1);
    chat.addConversationListener(new otterbot.api.chat.ConversationListener() {
      @Override
      public void messageReceived(AgentProfile agent, String conversationId, String text) {
        hung.countDown();
        for (int interrupts = 0; interrupts < 2; ) {
          try {
            Thread.sleep(60_000); // deaf to the first interrupt, as a careless plug-in is; ends at the service's stop
          } catch (InterruptedException e) {
            interrupts++;
            interrupted.countDown();
          }
        }
      }
    });
    chat.addPromptContributor(context -> "## Relevant memories\n- [fact] about " + context.userMessage(), 200);
    Recorder reply = send("coo", "conv-hang", "dogs");
    assertTrue(hung.await(5, TimeUnit.SECONDS));
    assertTrue(interrupted.await(1, TimeUnit.SECONDS), "the listener's call is interrupted when it is given up");
    assertFalse(reply.kinds().contains("error"), () -> "chunks: " + reply.chunks);
    assertTrue(reply.kinds().contains("token"), () -> "chunks: " + reply.chunks);
    assertTrue(requests.get(0).system().contains("## Relevant memories\n- [fact] about dogs"),
        requests.get(0).system());
  }

  @Test
  void closeTellsTheListenersInTheBackgroundOnlyForTheOwnersConversations() throws Exception {
    var closes = new java.util.concurrent.LinkedBlockingQueue<String>();
    chat.addConversationListener(new otterbot.api.chat.ConversationListener() {
      @Override
      public void closed(AgentProfile agent, String conversationId, String reason) {
        closes.add(agent.id() + " " + conversationId + " " + reason);
      }
    });
    agents.put("writer", profile("writer", new ModelRef("scripted", "m1")));
    send("coo", "conv-c", "hello");
    chat.close("writer", "conv-c", "close"); // not writer's conversation
    chat.close("coo", "conv-unknown", "close");
    chat.close("coo", "../x", "close");
    chat.close("coo", "conv-c", "close");
    assertEquals("coo conv-c close", closes.poll(5, TimeUnit.SECONDS));
    assertEquals(null, closes.poll(300, TimeUnit.MILLISECONDS), "the others were ignored");
    // The server's own conversations (bus, subagents, schedules) are never closed for learning.
    send("coo", "bus-thread-1", "from another agent");
    chat.close("coo", "bus-thread-1", "close");
    assertEquals(null, closes.poll(300, TimeUnit.MILLISECONDS));
  }

  @Test
  void aConversationWithoutMessagesForTheIdleTimeIsClosedOnce() throws Exception {
    chat.deactivate();
    chat = new ChatServiceImpl(new MapAgents(agents), models, credentials(), store(), settings, board,
        ChatLimits.DEFAULTS, java.time.Duration.ofMillis(300));
    var closes = new java.util.concurrent.LinkedBlockingQueue<String>();
    chat.addConversationListener(new otterbot.api.chat.ConversationListener() {
      @Override
      public void closed(AgentProfile agent, String conversationId, String reason) {
        closes.add(agent.id() + " " + conversationId + " " + reason);
      }
    });
    send("coo", "conv-i", "hello");
    assertEquals("coo conv-i idle", closes.poll(10, TimeUnit.SECONDS));
    assertEquals(null, closes.poll(2, TimeUnit.SECONDS), "closed once, not at every sweep");
  }

  static List<String> contents(ChatRequest request) {
    return request.messages().stream().map(m -> m.role() + ":" + m.content()).toList();
  }

  /** {@link #send} without checked exceptions, for conditions. */
  Recorder send0(String agentId, String conversationId, String text) {
    try {
      return send(agentId, conversationId, text);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------

  List<String> stored(String conversationId) {
    synchronized (conversations) {
      return conversations.getOrDefault(conversationId, List.of()).stream().map(m -> m.role() + ":" + m.content())
          .toList();
    }
  }

  Recorder send(String agentId, String conversationId, String text) throws InterruptedException {
    Recorder r = new Recorder();
    chat.send(agentId, conversationId, text, r);
    assertTrue(r.done.await(20, TimeUnit.SECONDS), "the turn ended");
    return r;
  }

  static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
    for (int i = 0; i < 200 && !condition.getAsBoolean(); i++) {
      Thread.sleep(50);
    }
    assertTrue(condition.getAsBoolean());
  }

  static final class Recorder implements ChatListener {
    final List<StreamChunk> chunks = new CopyOnWriteArrayList<>();
    final CountDownLatch done = new CountDownLatch(1);
    volatile int doneCount;

    @Override
    public void chunk(StreamChunk chunk) {
      assertEquals(1, done.getCount(), "no chunk after done");
      chunks.add(chunk);
    }

    @Override
    public void done() {
      doneCount++;
      done.countDown();
    }

    List<String> kinds() {
      return chunks.stream().map(StreamChunk::kind).toList();
    }
  }

  interface ToolBody {
    String run(ToolContext context, String args);
  }

  static Tool tool(String name, ToolBody body) {
    return tool(name, body, "{\"type\":\"object\"}");
  }

  static Tool tool(String name, ToolBody body, String schema) {
    return new Tool() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public String description() {
        return name;
      }

      @Override
      public String parameters() {
        return schema;
      }

      @Override
      public String invoke(ToolContext context, String arguments) {
        return body.run(context, arguments);
      }
    };
  }

  static AgentProfile profile(String id, ModelRef chat) {
    return MapAgents.profile(id, id.equals("coo") ? "coo" : "agent", chat);
  }


  CredentialService credentials() {
    return new CredentialService() {
      @Override
      public void replace(String agentId, Map<String, String> secrets) {
        throw OtterbotException.invalid("not here");
      }

      @Override
      public java.util.Set<String> keys(String agentId) {
        return java.util.Set.of();
      }

      @Override
      public Map<String, String> effectiveSecrets(String agentId) {
        return Map.of("SCRIPTED_API_KEY", SECRET, "SCRIPTED_BASE_URL", "http://127.0.0.1:9/v1");
      }

      @Override
      public void deleteAll(String agentId) {}
    };
  }

  ConversationStore store() {
    return new ConversationStore() {
      @Override
      public Optional<String> owner(String conversationId) {
        return Optional.ofNullable(owners.get(conversationId));
      }

      @Override
      public void append(String agentId, StoredMessage message) {
        CountDownLatch gate = appendGate;
        if (gate != null) {
          try {
            assertTrue(gate.await(20, TimeUnit.SECONDS), "the test opens the gate");
          } catch (InterruptedException e) {
            throw new AssertionError(e);
          }
        }
        RuntimeException failure = appendFailure;
        if (failure != null) {
          throw failure;
        }
        synchronized (conversations) {
          owners.putIfAbsent(message.conversationId(), agentId);
          conversations.computeIfAbsent(message.conversationId(), k -> new ArrayList<>()).add(message);
        }
      }

      @Override
      public List<StoredMessage> messages(String conversationId) {
        synchronized (conversations) {
          return List.copyOf(conversations.getOrDefault(conversationId, List.of()));
        }
      }

      @Override
      public int deleteAll(String agentId) {
        return 0;
      }
    };
  }

}
