package otterbot.core.internal.chat;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import otterbot.api.agent.AgentLifecycleListener;
import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.AgentRegistry;
import otterbot.api.chat.ChatListener;
import otterbot.api.chat.ChatService;
import otterbot.api.chat.ChatTurn;
import otterbot.api.chat.ConversationListener;
import otterbot.api.chat.PromptContributor;
import otterbot.api.chat.Conversation;
import otterbot.api.chat.StreamChunk;
import otterbot.api.credentials.CredentialService;
import otterbot.api.persistence.ConversationStore;
import otterbot.api.provider.ModelProvider;
import otterbot.api.settings.SettingsService;
import otterbot.api.tool.Tool;
import otterbot.core.internal.AgentIds;
import otterbot.core.internal.PluginCalls;
import otterbot.core.internal.providers.ModelServiceImpl;

/**
 * Runs chat turns ({@link Turn}) on a pool of daemon threads. A turn's text reaches the listener on the provider's
 * own thread, straight from the stream, so nothing is buffered between the model and the client; tool calls and the
 * end of a turn are handled on the turn's pool thread.
 *
 * <p>Bounded ({@link ChatConfiguration}): at most {@code maxRunningTurns} turns run at once (more are refused at once
 * with an error chunk, never queued), each has a wall-clock deadline, and plug-in code (tools, providers starting a
 * call) runs on threads of its own with a timeout, so a plug-in that hangs cannot hold a turn past its deadline.
 */
@Component(service = {ChatService.class, AgentLifecycleListener.class}, configurationPid = ChatConfiguration.PID)
@Designate(ocd = ChatConfiguration.class)
public final class ChatServiceImpl implements ChatService, AgentLifecycleListener {
  private static final Logger LOG = LoggerFactory.getLogger(ChatServiceImpl.class);
  /** Conversation ids clients may choose: what upstream generates ({@code conv-coo-1732...}), ours ({@code conv-<uuid>}, {@code bus-...}) and the like. */
  private static final Pattern CONVERSATION_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,199}");

  /**
   * The server's own conversations (bus requests, subagent runs, scheduled runs): agents talking to agents, not to
   * the user, so nothing about the user is learned from them and they are not watched for idleness.
   */
  private static final Pattern INTERNAL_CONVERSATION = Pattern.compile("(bus|spawn|sched)-");

  final TurnContext context;
  private final ModelServiceImpl models;
  private final ExecutorService pool;
  /** Fires the turns' deadlines. */
  private final ScheduledThreadPoolExecutor deadlines;
  private final PluginCalls plugins = new PluginCalls("otterbot-plugin-");
  /** Guarded by itself for check-then-add; removal needs no lock. */
  private final Set<Turn> running = ConcurrentHashMap.newKeySet();
  private final Consumer<ModelProvider> onProviderRemoved = this::providerRemoved;
  /** Each turn takes the tools as they are when it starts. */
  private final ToolSet tools = new ToolSet();
  private final ConversationEvents conversationEvents;
  /** Sorted by {@link PromptContributor#ORDER}; replaced whole on every change. */
  private volatile List<Contributor> contributors = List.of();

  private record Contributor(PromptContributor contributor, int order, long serviceId) {}

  @Activate
  public ChatServiceImpl(@Reference AgentRegistry agents, @Reference ModelServiceImpl models,
      @Reference CredentialService credentials, @Reference ConversationStore conversations,
      @Reference SettingsService settings, @Reference StatusBoard board, ChatConfiguration config) {
    this(agents, models, credentials, conversations, settings, board, ChatLimits.of(config),
        Duration.ofMinutes(Math.max(1, config.conversationIdleMinutes())));
  }

  ChatServiceImpl(AgentRegistry agents, ModelServiceImpl models, CredentialService credentials,
      ConversationStore conversations, SettingsService settings, StatusBoard board, ChatLimits limits) {
    this(agents, models, credentials, conversations, settings, board, limits, Duration.ofMinutes(5));
  }

  ChatServiceImpl(AgentRegistry agents, ModelServiceImpl models, CredentialService credentials,
      ConversationStore conversations, SettingsService settings, StatusBoard board, ChatLimits limits,
      Duration conversationIdle) {
    this.models = models;
    this.conversationEvents = new ConversationEvents(Clock.systemUTC(), conversationIdle);
    this.context = new TurnContext(agents, models, credentials, new CachedConversations(conversations), settings,
        board, tools::get, Clock.systemUTC(), limits, plugins, conversationEvents::listeners, this::promptContributors);
    this.pool = Executors.newCachedThreadPool(daemonThreads("otterbot-chat-"));
    this.deadlines = new ScheduledThreadPoolExecutor(1, daemonThreads("otterbot-chat-deadline-"));
    this.deadlines.setRemoveOnCancelPolicy(true);
    // Idle conversations are looked for every tenth of the idle time (at most every 30 s).
    long sweepMillis = Math.min(30_000, Math.max(1_000, conversationIdle.toMillis() / 10));
    this.deadlines.scheduleWithFixedDelay(this::sweepIdle, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
    models.onRemoved(onProviderRemoved);
  }

  private void sweepIdle() {
    try {
      conversationEvents.sweep();
    } catch (RuntimeException e) {
      LOG.warn("Looking for idle conversations failed: {}", e.toString());
    }
  }

  @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  void bindConversationListener(ConversationListener listener) {
    conversationEvents.add(listener);
  }

  void unbindConversationListener(ConversationListener listener) {
    conversationEvents.remove(listener);
  }

  @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  synchronized void bindPromptContributor(PromptContributor contributor, Map<String, Object> properties) {
    int order = properties.get(PromptContributor.ORDER) instanceof Integer o ? o : 1000;
    long id = properties.get(org.osgi.framework.Constants.SERVICE_ID) instanceof Long l ? l : 0L;
    var next = new java.util.ArrayList<>(contributors);
    next.add(new Contributor(contributor, order, id));
    next.sort(java.util.Comparator.comparingInt(Contributor::order).thenComparingLong(Contributor::serviceId));
    contributors = List.copyOf(next);
  }

  synchronized void unbindPromptContributor(PromptContributor contributor) {
    contributors = contributors.stream().filter(c -> c.contributor() != contributor).toList();
  }

  /** For tests: adds a contributor of the given order. */
  void addPromptContributor(PromptContributor contributor, int order) {
    bindPromptContributor(contributor, Map.of(PromptContributor.ORDER, order));
  }

  /** For tests: adds a conversation listener. */
  void addConversationListener(ConversationListener listener) {
    conversationEvents.add(listener);
  }

  private List<PromptContributor> promptContributors() {
    return contributors.stream().map(Contributor::contributor).toList();
  }

  /** A tool is checked once, here: one with a bad name or schema is skipped and logged (see {@link ToolSet}). */
  @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  void bindTool(Tool tool, Map<String, Object> properties) {
    tools.bind(tool, properties.get(org.osgi.framework.Constants.SERVICE_RANKING) instanceof Integer r ? r : 0);
  }

  /** For tests: binds a tool of ranking 0. */
  void addTool(Tool tool) {
    tools.bind(tool);
  }

  void unbindTool(Tool tool) {
    tools.unbind(tool);
  }

  @Deactivate
  void deactivate() throws InterruptedException {
    models.removeListener(onProviderRemoved);
    running.forEach(Turn::cancel);
    deadlines.shutdownNow();
    conversationEvents.close();
    plugins.close();
    pool.shutdown();
    if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
      LOG.warn("Chat turns still running 5 s after stop; interrupting them");
      pool.shutdownNow();
    }
  }

  @Override
  public Conversation join(String agentId, String conversationId) {
    if (conversationId != null && CONVERSATION_ID.matcher(conversationId).matches()) {
      Optional<String> owner = context.conversations().join(agentId, conversationId);
      if (owner.isEmpty()) {
        return new Conversation(agentId, conversationId, false);
      }
      if (owner.get().equals(agentId)) {
        return new Conversation(agentId, conversationId, true);
      }
      // Another agent's conversation: never mix histories; start a fresh one.
      LOG.info("Conversation {} belongs to agent '{}', not '{}'; starting a new one", conversationId, owner.get(),
          agentId);
    }
    return new Conversation(agentId, ChatService.newConversationId(agentId), false);
  }

  @Override
  public ChatTurn send(String agentId, String conversationId, String text, ChatListener listener) {
    // Only well-formed ids are looked up: a client's string is not a registry key.
    Optional<AgentProfile> agent = AgentIds.valid(agentId) ? context.agents().get(agentId) : Optional.empty();
    String problem = null;
    if (agent.isEmpty()) {
      problem = "Unknown agent: " + agentId;
    } else if (text == null || text.isBlank()) {
      problem = "text is required";
    } else if (text.length() > context.limits().maxMessageChars()) {
      problem = "text is longer than " + context.limits().maxMessageChars() + " characters";
    } else if (conversationId == null || !CONVERSATION_ID.matcher(conversationId).matches()) {
      problem = "conversationId must be 1 to 200 letters, digits, '.', '_', ':' or '-'";
    }
    if (problem != null) {
      listener.chunk(StreamChunk.error(problem));
      listener.done();
      return () -> { };
    }
    Turn turn = new Turn(context, agent.get(), conversationId, text, listener, running::remove);
    if (!INTERNAL_CONVERSATION.matcher(conversationId).lookingAt()) {
      activity(agent.get(), conversationId);
    }
    int max = context.limits().maxRunningTurns();
    synchronized (running) {
      if (running.size() >= max) {
        turn = null;
      } else {
        running.add(turn);
      }
    }
    if (turn == null) {
      // Refused at once rather than queued: a queue would only turn overload into unbounded waiting.
      LOG.debug("Turn of agent '{}' refused: {} turns are running", agentId, max);
      listener.chunk(StreamChunk.error("the server is busy: " + max
          + " turns are running (maxRunningTurns in otterbot.chat.cfg); try again in a moment"));
      listener.done();
      return () -> { };
    }
    try {
      Turn started = turn;
      turn.deadline(deadlines.schedule(started::expire, context.limits().turnTimeout().toMillis(),
          TimeUnit.MILLISECONDS));
      pool.execute(turn);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      turn.cancel();
      running.remove(turn);
      listener.chunk(StreamChunk.error("the server is shutting down"));
      listener.done();
    }
    return turn;
  }

  @Override
  public void close(String agentId, String conversationId, String reason) {
    if (!AgentIds.valid(agentId) || conversationId == null || !CONVERSATION_ID.matcher(conversationId).matches()) {
      return;
    }
    if (INTERNAL_CONVERSATION.matcher(conversationId).lookingAt()) {
      return;
    }
    // In the background: this is called on event loops. Only the owner's close counts, so a client cannot make
    // another agent learn from a conversation it never had.
    conversationEvents.closeChecked(conversationId, reason, () -> context.conversations().owner(conversationId)
        .filter(agentId::equals)
        .flatMap(owner -> context.agents().get(owner)));
  }

  /** A turn of the conversation starts: it is active, and watched for idleness. */
  /** A deleted agent's history went with it: its conversations are no longer held in memory either. */
  @Override
  public void deleted(AgentProfile agent) {
    context.conversations().forget(agent.id());
  }

  void activity(AgentProfile agent, String conversationId) {
    conversationEvents.activity(agent, conversationId);
  }

  private void providerRemoved(ModelProvider provider) {
    running.forEach(turn -> turn.providerRemoved(provider));
  }

  static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return runnable -> {
      Thread t = new Thread(runnable, prefix + n.incrementAndGet());
      t.setDaemon(true);
      // Our class loader must not be pinned by a thread that outlives the bundle: threads die with the pool.
      t.setContextClassLoader(null);
      return t;
    };
  }
}
