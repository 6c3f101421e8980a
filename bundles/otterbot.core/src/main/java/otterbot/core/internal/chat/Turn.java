package otterbot.core.internal.chat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import otterbot.api.OtterbotException;
import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.ModelRef;
import otterbot.api.chat.ChatListener;
import otterbot.api.chat.ChatTurn;
import otterbot.api.chat.ConversationListener;
import otterbot.api.chat.PromptContext;
import otterbot.api.chat.PromptContributor;
import otterbot.api.chat.StreamChunk;
import otterbot.api.persistence.StoredMessage;
import otterbot.api.provider.ChatCall;
import otterbot.api.provider.ChatMessage;
import otterbot.api.provider.ChatRequest;
import otterbot.api.provider.ChatSink;
import otterbot.api.provider.ModelProvider;
import otterbot.api.provider.ToolCall;
import otterbot.api.provider.ToolSpec;
import otterbot.api.tool.Tool;
import otterbot.api.tool.ToolContext;
import otterbot.api.tool.ToolException;
import otterbot.core.internal.PluginCalls;
import otterbot.core.internal.secrets.Scrubber;

/**
 * One chat turn (upstream-behaviour §6.1): store the user message, stream the model's reply with the agent's tools
 * for at most {@value #MAX_STEPS} steps, store the reply, and keep the agent's status. Every outcome ends with
 * {@link ChatListener#done()}.
 *
 * <p>Locking: every call to the listener is made while holding this turn's monitor and only while the turn is open,
 * so a provider thread streaming text and the turn's own thread (tool chunks, errors) never talk over each other,
 * and nothing reaches the client after a cancel.
 */
final class Turn implements ChatTurn, Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(Turn.class);
  static final int MAX_STEPS = 8;
  /** How long one conversation listener or prompt contributor may take for one turn. */
  static final java.time.Duration PLUGIN_PART = java.time.Duration.ofSeconds(5);
  /** How long a turn waits for its user message's commit (the database's own timeouts end it sooner). */
  static final java.time.Duration STORE_WAIT = java.time.Duration.ofSeconds(60);
  /** Used when the agent has no persona (upstream's built-in fallback, §7.3). */
  static final String FALLBACK_PERSONA = "You are a helpful OtterBot agent. You remember what matters across sessions,"
      + " write down reusable know-how as skills, and keep a model of the user. Never invent memories: say so when you"
      + " do not know.";
  /** A tool call repeated with the same arguments more often than this in one turn is refused. */
  static final int MAX_REPEATS = 3;
  /**
   * Tool calls of one step beyond the limit are answered as refused up to this many; any further ones are dropped
   * from the step altogether (a model emitting thousands of calls must not cost thousands of messages).
   */
  static final int MAX_REFUSED_CALLS = 64;
  /** Tool results longer than this are cut before they go to the model (and the client). */
  static final int MAX_TOOL_RESULT = 64 * 1024;
  private static final ObjectMapper JSON = JsonMapper.builder().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS).build();
  /** Writes maps with sorted keys: the canonical form of tool arguments for the repeat guard. */
  private static final ObjectMapper SORTED = JsonMapper.builder()
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

  private final TurnContext ctx;
  private final AgentProfile agent;
  private final String conversationId;
  private final String text;
  private final ChatListener listener;
  private final Consumer<Turn> onEnd;

  private volatile boolean cancelled;
  /** The step in flight, or null between steps. */
  private volatile Step step;
  /** The thread running a tool, interrupted by cancel; guarded by {@code this}. */
  private Thread toolThread;
  private volatile Map<String, String> secrets = Map.of();
  /** The user message's commit, started first thing in {@link #run}; its outcome is awaited by {@link #awaitStored}. */
  private volatile PluginCalls.Started<Void> storing;
  /** Null until the commit's outcome is known, then whether the user message is stored; written under storeLock. */
  private volatile Boolean userStored;
  /** Why the user message is not stored; written before {@link #userStored}. */
  private volatile RuntimeException storeFailure;
  private final Object storeLock = new Object();
  /** Whether an error chunk was sent: the agent's status is then {@code error} until its next turn. */
  private volatile boolean failed;
  /** The deadline's timer, cancelled when the turn ends. */
  private volatile Future<?> deadline;
  /** Set, under {@code this}, just before {@link ChatListener#done()}: nothing is sent after it. */
  private boolean ended;

  Turn(TurnContext ctx, AgentProfile agent, String conversationId, String text, ChatListener listener,
      Consumer<Turn> onEnd) {
    this.ctx = ctx;
    this.agent = agent;
    this.conversationId = conversationId;
    this.text = text;
    this.listener = listener;
    this.onEnd = onEnd;
  }

  @Override
  public void cancel() {
    cancelled = true;
    Step current = step;
    if (current != null) {
      current.abort(null);
    }
    synchronized (this) {
      if (toolThread != null) {
        toolThread.interrupt();
      }
    }
  }

  void deadline(Future<?> timer) {
    deadline = timer;
  }

  /**
   * The turn's wall-clock deadline passed: says so in an error chunk, then cancels the turn (its model call and tool),
   * which ends it with {@code done}. Nothing is sent after the error chunk.
   */
  void expire() {
    synchronized (this) {
      if (ended || cancelled) {
        return;
      }
      // Not emit(): a timer thread does not wait for a commit (a deadline is minutes after it anyway).
      send(StreamChunk.error("the turn took longer than " + ctx.limits().turnTimeout().toSeconds()
          + " s (turnTimeoutSeconds in otterbot.chat.cfg) and was stopped"));
      cancelled = true;
    }
    LOG.info("A turn of agent '{}' hit its deadline of {} s", agent.id(), ctx.limits().turnTimeout().toSeconds());
    cancel();
  }

  /** The provider of the running step went away: end the step with a clear error instead of waiting for it. */
  void providerRemoved(ModelProvider provider) {
    Step current = step;
    if (current != null && current.provider == provider) {
      current.abort("the model provider '" + current.providerId + "' was uninstalled while it was answering");
    }
  }

  @Override
  public void run() {
    String agentId = agent.id();
    ctx.board().turnStarted(agentId);
    boolean working = false;
    var reply = new StringBuilder();
    try {
      // The user message is committed on another thread while this one prepares the prompt, the credentials and the
      // tools, and, in a conversation already held in memory, while the model's first call goes out (issue 12: the
      // commit and the preparation each took milliseconds of the time to first token). Nothing reaches the client
      // before the commit has ended: every chunk waits for it (emit, and the first step's release), so the message is
      // stored before anything is answered. A message that cannot be stored ends the turn with an error as before,
      // and a model call already made for it is cancelled unseen (the listeners may have seen the message by then).
      StoredMessage user = message("user", text);
      storing = ctx.plugins().start(() -> {
        ctx.conversations().append(agentId, user);
        return null;
      });
      String system;
      ModelRef model;
      ModelProvider provider;
      ToolContext toolContext;
      Map<String, ToolSet.Entry> tools;
      try {
        messageReceived();
        // The prompt's sections are written on plug-in threads while this one looks up the model, the credentials and
        // the tools (issue 12: that lookup no longer adds to the time to first token).
        List<PluginCalls.Started<String>> sections = startSections();
        try {
          model = effectiveModel();
          provider = ctx.models().provider(model.provider())
              .orElseThrow(() -> OtterbotException.invalid(ctx.models().unknownProvider(model.provider())));
          secrets = ctx.credentials().effectiveSecrets(agentId);
          toolContext = new ToolContext(agent, conversationId, secrets);
          tools = toolsFor(toolContext);
        } catch (RuntimeException e) {
          sections.forEach(PluginCalls.Started::cancel);
          throw e;
        }
        system = systemPrompt(sections);
      } catch (RuntimeException e) {
        requireStored(); // a message that was not stored says so, as when the commit was awaited here
        throw e;
      }
      List<ChatMessage> messages = history(user);
      List<ToolSpec> specs = tools.values().stream().map(t -> new ToolSpec(t.name(), t.description(), t.parameters()))
          .toList();
      int maxCalls = ctx.limits().maxToolCallsPerStep();
      Map<String, Integer> repeats = new HashMap<>();
      boolean offerTools = true;
      for (int n = 1; n <= MAX_STEPS && !cancelled; n++) {
        var request = new ChatRequest(model.modelId(), system, messages, offerTools ? specs : List.of(),
            secrets, 0);
        Step.Result result = runStep(provider, model.provider(), request, reply.length());
        reply.append(result.text());
        if (result.error() != null) {
          emit(StreamChunk.error(Scrubber.scrub(result.error(), Scrubber.secretValues(secrets))));
          break;
        }
        if (cancelled || result.calls().isEmpty()) {
          break;
        }
        if (n == MAX_STEPS) {
          emit(StreamChunk.error("stopped after " + MAX_STEPS + " model steps: the model was still calling tools"));
          break;
        }
        if (!working) {
          working = true;
          ctx.board().turnWorking(agentId);
        }
        messages.add(ChatMessage.assistant(result.text(), result.calls()));
        int index = 0;
        for (ToolCall call : result.calls()) {
          if (cancelled) {
            break;
          }
          if (index++ >= maxCalls) {
            // Not run and not shown: the model hears that it asked for too much at once.
            messages.add(ChatMessage.toolResult(call, error("not run: at most " + maxCalls
                + " tool calls are run per step. Call fewer tools at a time.")));
            continue;
          }
          String key = call.name() + " " + canonical(call.arguments());
          boolean refused = repeats.merge(key, 1, Integer::sum) > MAX_REPEATS;
          emit(StreamChunk.toolStart(call.id(), call.name(), parse(call.arguments())));
          String output = refused ? refusal(call) : invoke(tools.get(call.name()), toolContext, call);
          emit(StreamChunk.toolEnd(call.id(), parse(output)));
          messages.add(ChatMessage.toolResult(call, output));
          // After a refusal the model gets one more step without tools, so it has to answer.
          offerTools &= !refused;
        }
      }
    } catch (OtterbotException e) {
      emit(StreamChunk.error(Scrubber.scrub(e.getMessage(), Scrubber.secretValues(secrets))));
    } catch (RuntimeException e) {
      LOG.error("Chat turn of agent '{}' failed: {}", agentId, Scrubber.scrub(e.toString(), Scrubber.secretValues(secrets)));
      // What failed inside the server is for the log, not for the client.
      emit(StreamChunk.error("internal error (the server log has the details)"));
    } finally {
      try {
        if (awaitStored()) {
          // As upstream, the whole reply is stored even when empty; a cancelled turn keeps what was said.
          ctx.conversations().append(agentId, message("assistant", reply.toString()));
        }
      } catch (RuntimeException e) {
        LOG.error("The reply of agent '{}' in conversation {} could not be stored: {}", agentId, conversationId,
            e.toString());
        emit(StreamChunk.error("the reply could not be stored (the server log has the details)"));
      } finally {
        Future<?> timer = deadline;
        if (timer != null) {
          timer.cancel(false);
        }
        ctx.board().turnEnded(agentId, working, failed);
        onEnd.accept(this);
        Thread.interrupted(); // a cancel may have interrupted us after the tool returned; do not leak it to the pool
        synchronized (this) {
          ended = true;
          listener.done();
        }
      }
    }
  }

  /**
   * Waits for the user message's commit once and remembers its outcome: true once it is stored. Not cut short by a
   * cancel: the turn must know whether the message was stored, to store the reply after it.
   */
  private boolean awaitStored() {
    if (userStored == null) {
      synchronized (storeLock) {
        if (userStored == null && storing == null) {
          // The commit never started (the server is stopping).
          storeFailure = OtterbotException.unavailable("the message could not be stored: the server is stopping", null);
          userStored = Boolean.FALSE;
        }
        if (userStored == null) {
          try {
            storing.awaitToTheEnd(STORE_WAIT);
            userStored = Boolean.TRUE;
          } catch (PluginCalls.Timeout e) {
            storeFailure = OtterbotException.unavailable(
                "the message could not be stored within " + STORE_WAIT.toSeconds() + " s", e);
            userStored = Boolean.FALSE;
          } catch (RuntimeException e) {
            storeFailure = e; // an OtterbotException says why; anything else is an internal error
            userStored = Boolean.FALSE;
          } catch (Exception e) {
            storeFailure = new IllegalStateException(e);
            userStored = Boolean.FALSE;
          }
        }
      }
    }
    return userStored;
  }

  /** As {@link #awaitStored}, but a message that was not stored throws the store's failure. */
  private void requireStored() {
    if (!awaitStored()) {
      throw storeFailure;
    }
  }

  /**
   * The model history: the conversation's user and assistant messages in order (tool traffic is not stored), as a
   * window of the newest ones that fit the history budget. The last message (the one this turn answers) is always in
   * it; the whole history stays stored.
   */
  private List<ChatMessage> history(StoredMessage user) {
    Optional<List<StoredMessage>> held = ctx.conversations().held(agent.id(), conversationId);
    List<StoredMessage> stored;
    if (held.isPresent() && userStored == null) {
      // The commit still runs: the history held so far, with this turn's message if the commit has not added it yet.
      stored = held.get();
      if (!contains(stored, user)) {
        var with = new ArrayList<StoredMessage>(stored.size() + 1);
        with.addAll(stored);
        with.add(user);
        stored = with;
      }
    } else {
      // Not held: the store is read, which first needs the commit to have said that the conversation is the agent's.
      requireStored();
      stored = ctx.conversations().history(agent.id(), conversationId);
    }
    return window(stored, ctx.limits().historyCharBudget());
  }

  /** Whether the newest messages include {@code message} (another turn of the conversation may have come after it). */
  private static boolean contains(List<StoredMessage> messages, StoredMessage message) {
    for (int i = messages.size() - 1, seen = 0; i >= 0 && seen < 8; i--, seen++) {
      if (messages.get(i).id().equals(message.id())) {
        return true;
      }
    }
    return false;
  }

  static List<ChatMessage> window(List<StoredMessage> stored, int budget) {
    var out = new ArrayList<ChatMessage>();
    long used = 0;
    for (int i = stored.size() - 1; i >= 0; i--) {
      StoredMessage m = stored.get(i);
      ChatMessage message;
      if ("user".equals(m.role())) {
        message = ChatMessage.user(m.content());
      } else if ("assistant".equals(m.role()) && !m.content().isEmpty()) {
        message = ChatMessage.assistant(m.content(), List.of());
      } else {
        continue;
      }
      used += m.content().length();
      if (used > budget && !out.isEmpty()) {
        break;
      }
      out.add(message);
    }
    java.util.Collections.reverse(out);
    return out;
  }

  /**
   * The agent's chat model. The built-in provider is the placeholder a fresh install starts with, so an agent on it
   * follows the global default model once the user has chosen a real one.
   */
  private ModelRef effectiveModel() {
    ModelRef own = agent.model() == null ? null : agent.model().chat();
    ModelRef global = ctx.settings().global().defaultChatModel();
    if (own == null || ("builtin".equals(own.provider()) && global != null)) {
      return global;
    }
    return own;
  }

  /**
   * Tells the conversation listeners about the user message before the prompt is built, so that what they do (the
   * memory bundle saves a "remember ..." at once) is already in place for this turn. Each has {@link #PLUGIN_PART}.
   */
  private void messageReceived() {
    for (ConversationListener listener : ctx.conversationListeners().get()) {
      if (cancelled) {
        return;
      }
      try {
        ctx.plugins().call(() -> {
          listener.messageReceived(agent, conversationId, text);
          return null;
        }, PLUGIN_PART);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        LOG.warn("A conversation listener failed on a message of agent '{}': {}", agent.id(), e.toString());
      }
    }
  }

  /**
   * The system prompt (upstream-behaviour §7.3): who the agent is and its persona, then the sections of the prompt
   * contributors in their order (the user profile, relevant memories, relevant skills), then today's date. A
   * contributor that fails or takes longer than {@link #PLUGIN_PART} (counted once the sections before it are in)
   * is left out of this turn. {@code sections} are the contributors' calls, from {@link #startSections}.
   */
  private String systemPrompt(List<PluginCalls.Started<String>> sections) {
    var prompt = new StringBuilder();
    prompt.append("You are ").append(agent.displayName()).append(" (agent id '").append(agent.id())
        .append("', role ").append(agent.role()).append(") in OtterBot, a multi-agent assistant.\n");
    if (agent.persona() != null && !agent.persona().isBlank()) {
      prompt.append('\n').append(agent.persona().strip()).append('\n');
    } else {
      prompt.append('\n').append(FALLBACK_PERSONA).append('\n');
    }
    for (int i = 0; i < sections.size(); i++) {
      if (cancelled) {
        sections.subList(i, sections.size()).forEach(PluginCalls.Started::cancel);
        break;
      }
      try {
        String section = sections.get(i).await(PLUGIN_PART);
        if (section != null && !section.isBlank()) {
          prompt.append('\n').append(section.strip()).append('\n');
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        sections.subList(i, sections.size()).forEach(PluginCalls.Started::cancel);
        break;
      } catch (Exception e) {
        LOG.warn("A prompt section for agent '{}' is left out: {}", agent.id(), e.toString());
      }
    }
    prompt.append("\n## Today\n").append(java.time.LocalDate.ofInstant(ctx.clock().instant(), java.time.ZoneOffset.UTC))
        .append("\nCurrent time: ").append(ctx.clock().instant()).append('\n');
    return prompt.toString();
  }

  /** Starts the prompt contributors' sections side by side, each on a plug-in thread, in the contributors' order. */
  private List<PluginCalls.Started<String>> startSections() {
    var context = new PromptContext(agent, conversationId, text);
    var started = new ArrayList<PluginCalls.Started<String>>();
    for (PromptContributor contributor : ctx.promptContributors().get()) {
      started.add(ctx.plugins().start(() -> contributor.section(context)));
    }
    return started;
  }

  private Map<String, ToolSet.Entry> toolsFor(ToolContext toolContext) {
    var out = new LinkedHashMap<String, ToolSet.Entry>();
    for (ToolSet.Entry tool : ctx.tools().get()) {
      try {
        if (tool.tool().availableTo(toolContext)) {
          out.putIfAbsent(tool.name(), tool);
        }
      } catch (RuntimeException | LinkageError e) {
        LOG.warn("Tool '{}' is left out of this turn: {}", tool.name(), e.toString());
      }
    }
    return out;
  }

  /**
   * One model step. The provider starts its call on a plug-in thread with a timeout, so one that blocks in
   * {@code chat()} cannot hold this turn; {@code replied} is what earlier steps said, counted against the reply limit.
   */
  private Step.Result runStep(ModelProvider provider, String providerId, ChatRequest request, int replied) {
    // Only the first step can start before the user message's commit has ended; its text is held until then.
    Step current = new Step(provider, providerId, ctx.limits().maxReplyChars() - replied, userStored != null);
    step = current;
    try {
      if (!start(current, provider, providerId, request)) {
        return current.result();
      }
      if (!current.released()) {
        try {
          requireStored();
        } catch (RuntimeException e) {
          current.abort(null);
          throw e;
        }
        current.release();
      }
      return current.await();
    } finally {
      step = null;
    }
  }

  /** Starts the step's model call; false when it did not start (a cancel, or the step holds the error). */
  private boolean start(Step current, ModelProvider provider, String providerId, ChatRequest request) {
    try {
      if (cancelled) {
        return false;
      }
      ChatCall call = ctx.plugins().call(() -> provider.chat(request, current), ctx.limits().providerStartTimeout());
      if (call == null) {
        current.abort("the model provider '" + providerId + "' returned no call");
        return false;
      }
      current.started(call);
      return true;
    } catch (PluginCalls.Timeout e) {
      LOG.warn("Provider '{}' did not start a call within {} s", providerId,
          ctx.limits().providerStartTimeout().toSeconds());
      current.abort("the model provider '" + providerId + "' did not start the call within "
          + ctx.limits().providerStartTimeout().toSeconds() + " s");
      return false;
    } catch (InterruptedException e) {
      current.abort(null);
      return false;
    } catch (Exception e) {
      LOG.warn("Provider '{}' failed to start a call: {}", providerId, Scrubber.scrub(e.toString(), Scrubber.secretValues(secrets)));
      current.abort("the model provider '" + providerId + "' failed to start the call (the server log has the details)");
      return false;
    }
  }

  /**
   * Runs a tool on a plug-in thread with the tool timeout; this thread waits, and a cancel interrupts the wait (and
   * the tool). Whatever the tool does (throws, hangs, returns null, huge or not JSON) becomes a result the model
   * reads; it never fails the turn.
   */
  private String invoke(ToolSet.Entry entry, ToolContext toolContext, ToolCall call) {
    if (entry == null) {
      return error("there is no tool named '" + call.name() + "'");
    }
    Tool tool = entry.tool();
    synchronized (this) {
      if (cancelled) {
        return error("cancelled");
      }
      toolThread = Thread.currentThread();
    }
    try {
      String arguments = call.arguments() == null || call.arguments().isBlank() ? "{}" : call.arguments();
      String out = ctx.plugins().call(() -> tool.invoke(toolContext, arguments), ctx.limits().toolTimeout());
      if (out == null) {
        return "null";
      }
      return out.length() > MAX_TOOL_RESULT ? error("the tool's result was " + out.length() + " characters, longer than "
          + MAX_TOOL_RESULT + ", and was dropped") : out;
    } catch (ToolException e) {
      return error(Scrubber.scrub(e.getMessage(), Scrubber.secretValues(secrets)));
    } catch (InterruptedException e) {
      return error("cancelled");
    } catch (PluginCalls.Timeout e) {
      LOG.warn("Tool '{}' did not answer within {} s", call.name(), ctx.limits().toolTimeout().toSeconds());
      return error("the tool did not answer within " + ctx.limits().toolTimeout().toSeconds() + " s");
    } catch (Exception e) {
      LOG.warn("Tool '{}' failed: {}", call.name(), Scrubber.scrub(e.toString(), Scrubber.secretValues(secrets)));
      // A ToolException is the tool's message to the model; anything else is a failure inside the server.
      return error("the tool failed unexpectedly (the server log has the details)");
    } finally {
      synchronized (this) {
        toolThread = null;
      }
    }
  }

  private static String refusal(ToolCall call) {
    return error("not run: " + call.name() + " was already called " + MAX_REPEATS
        + " times with these same arguments in this turn. Do not call it again; answer with what you have.");
  }

  private static String error(String message) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("ok", false);
    node.put("error", message);
    return node.toString();
  }

  /** The arguments in a canonical form, so that key order and spacing do not hide a repeated call. */
  private static String canonical(String json) {
    try {
      return SORTED.writeValueAsString(JSON.readValue(json == null || json.isBlank() ? "{}" : json, Object.class));
    } catch (JsonProcessingException e) {
      return json;
    }
  }

  /** JSON text as a tree for the client; text that is not JSON is passed on as a string. */
  private static Object parse(String json) {
    if (json == null || json.isBlank()) {
      return JsonNodeFactory.instance.objectNode();
    }
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      return json;
    }
  }

  private StoredMessage message(String role, String content) {
    return new StoredMessage(UUID.randomUUID().toString(), conversationId, role, content, ctx.clock().instant());
  }

  /** Sends a chunk unless the turn was cancelled; not before the user message's commit has ended. */
  private void emit(StreamChunk chunk) {
    awaitStored();
    send(chunk);
  }

  private synchronized void send(StreamChunk chunk) {
    if (StreamChunk.ERROR.equals(chunk.kind())) {
      failed = true;
    }
    if (!cancelled) {
      listener.chunk(chunk);
    }
  }

  /** One model call: collects the text and tool calls the provider streams and relays the text as it comes. */
  private final class Step implements ChatSink {
    final ModelProvider provider;
    final String providerId;
    private final CompletableFuture<Void> end = new CompletableFuture<>();
    private final StringBuilder text = new StringBuilder();
    private final List<ToolCall> calls = new ArrayList<>();
    /** Guarded by the turn's monitor. */
    private boolean closed;
    private String error;
    private volatile ChatCall call;
    /** Set by {@link #abort} (a cancel, or the provider went away); never by a normal end. */
    private volatile boolean aborted;

    /** Characters this step may still add to the turn's reply. */
    private final int room;
    /** Whether its text is relayed as it comes; until then it is held (see {@link #release}). Guarded by the turn. */
    private boolean released;
    /**
     * The pieces of text held until {@link #release}, each relayed then as the chunk it would have been. Bounded by the
     * reply limit ({@link #room}). Guarded by the turn's monitor.
     */
    private final List<String> held = new ArrayList<>();

    Step(ModelProvider provider, String providerId, int room, boolean released) {
      this.provider = provider;
      this.providerId = providerId;
      this.room = room;
      this.released = released;
    }

    boolean released() {
      synchronized (Turn.this) {
        return released;
      }
    }

    /** Relays what was held, chunk by chunk, and from now on everything as it comes: the user message is stored. */
    void release() {
      synchronized (Turn.this) {
        released = true;
        if (!cancelled) {
          for (String piece : held) {
            listener.chunk(StreamChunk.token(piece));
          }
        }
        held.clear();
      }
    }

    void started(ChatCall started) {
      call = started;
      // Aborted before the provider handed us the call: cancel it now. Not when the step simply finished (a fast
      // stream can complete before chat() returns): cancelling a finished call could close a pooled connection that
      // already carries another request.
      if (aborted) {
        started.cancel();
      }
    }

    Result await() {
      try {
        end.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        abort(null);
      } catch (ExecutionException e) {
        abort(String.valueOf(e.getCause()));
      }
      return result();
    }

    Result result() {
      synchronized (Turn.this) {
        return new Result(text.toString(), List.copyOf(calls), error);
      }
    }

    /**
     * Ends the step now, with an error message or (null) silently, and aborts the provider's call, unless the step
     * had already ended normally (then the call is over and is left alone).
     */
    void abort(String message) {
      boolean open;
      synchronized (Turn.this) {
        open = !closed;
        if (open) {
          closed = true;
          error = message;
        }
      }
      if (open) {
        // Set before reading the call, while started() sets the call before reading this: one of us cancels it.
        aborted = true;
        ChatCall c = call;
        if (c != null) {
          c.cancel();
        }
      }
      end.complete(null);
    }

    @Override
    public void text(String delta) {
      if (delta == null || delta.isEmpty()) {
        return;
      }
      boolean full = false;
      synchronized (Turn.this) {
        if (!closed && !cancelled) {
          int fits = Math.max(0, room - text.length());
          String kept = delta.length() > fits ? delta.substring(0, fits) : delta;
          if (!kept.isEmpty()) {
            text.append(kept);
            if (released) {
              listener.chunk(StreamChunk.token(kept));
            } else {
              held.add(kept);
            }
          }
          full = kept.length() < delta.length();
        }
      }
      if (full) {
        // Outside the lock: aborting cancels the provider's call, which is plug-in code.
        abort("the reply was longer than " + ctx.limits().maxReplyChars()
            + " characters (maxReplyChars in otterbot.chat.cfg) and was cut off there");
      }
    }

    @Override
    public void toolCall(ToolCall toolCall) {
      synchronized (Turn.this) {
        if (!closed && toolCall != null && toolCall.name() != null
            && calls.size() < ctx.limits().maxToolCallsPerStep() + MAX_REFUSED_CALLS) {
          calls.add(toolCall.id() == null ? new ToolCall("call-" + calls.size(), toolCall.name(), toolCall.arguments())
              : toolCall);
        }
      }
    }

    @Override
    public void completed(String finishReason) {
      synchronized (Turn.this) {
        closed = true;
      }
      end.complete(null);
    }

    @Override
    public void failed(String message) {
      synchronized (Turn.this) {
        if (!closed) {
          closed = true;
          error = message == null || message.isBlank() ? "the model provider failed" : message;
        }
      }
      end.complete(null);
    }

    record Result(String text, List<ToolCall> calls, String error) {}
  }
}
