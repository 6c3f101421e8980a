package otterbot.core.internal.bus;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import otterbot.api.OtterbotException;
import otterbot.api.agent.AgentRegistry;
import otterbot.api.chat.ChatService;
import otterbot.api.orchestration.AgentMessage;
import otterbot.api.orchestration.BusTransport;
import otterbot.api.orchestration.MessageBus;
import otterbot.api.persistence.BusStore;

/**
 * The message bus (upstream-behaviour §6.3). Publishing stores the message (committed, in a group commit with whatever
 * else is being published: {@link BusWriter}), then, in seq order, hands it to every {@link BusTransport}; a response
 * completes the request waiting for it; a request is queued for the addressed agent, which answers with a turn of its
 * own in conversation {@code bus-<threadId>}, one request at a time.
 */
@Component(service = {MessageBus.class, MessageBusImpl.class})
public final class MessageBusImpl implements MessageBus {
  private static final Logger LOG = LoggerFactory.getLogger(MessageBusImpl.class);
  static final Set<String> KINDS = Set.of(AgentMessage.REQUEST, AgentMessage.RESPONSE, AgentMessage.BROADCAST,
      AgentMessage.SPAWN, AgentMessage.REPORT, AgentMessage.STATUS, AgentMessage.TOOL, AgentMessage.ERROR);
  static final int MAX_BODY = 100_000;
  static final int MAX_NAME = 200;
  /**
   * How long an answering turn may run past its requester's deadline before it is stopped: the requester's own
   * timeout, with its clear message, always comes first.
   */
  static final Duration ANSWER_GRACE = Duration.ofSeconds(1);
  /**
   * Messages waiting for the writer. Each publisher waits for its own, so this is only reached with more publishing
   * threads than that (turns are capped at 1024 by default).
   */
  static final int MAX_QUEUED = 4096;
  /** Messages per commit: bounds a batch's transaction and how long the first of them waits for the last. */
  static final int MAX_BATCH = 256;
  /** How long a publisher waits for room in a full queue before it is told the bus is overloaded. */
  static final Duration FULL_WAIT = Duration.ofSeconds(10);
  /** How long stopping waits for the writer to store what is queued. */
  static final Duration STOP_WAIT = Duration.ofSeconds(5);

  private final BusStore store;
  private final AgentRegistry agents;
  private final Clock clock;
  private final ExecutorService pool;
  private final AgentQueues queues;
  private final WaitGraph waits = new WaitGraph();
  private final Map<String, CompletableFuture<AgentMessage>> pending = new ConcurrentHashMap<>();
  /**
   * Requests made with {@link #request} that are not yet being answered: id to the requester's deadline
   * ({@link System#nanoTime()}). Taken out when the addressee gets to the request: if its requester is no longer
   * waiting ({@link #pending} has no entry), the request is dropped instead of run; otherwise the answering turn gets
   * the time that is left.
   */
  private final Map<String, Long> awaited = new ConcurrentHashMap<>();
  /** Stores and delivers; one thread at a time calls the transports, so they see messages in seq order. */
  private final BusWriter writer;

  /**
   * Dynamic, not a constructor reference: the chat service's tools (delegate, broadcast) need this bus, so a static
   * reference here would make activating either one a cycle (DS refuses it in the exported server).
   */
  @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  volatile ChatService chat;

  /** Replaced by DS whenever a transport comes or goes. */
  @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  volatile List<BusTransport> transports = List.of();

  @Activate
  public MessageBusImpl(@Reference BusStore store, @Reference AgentRegistry agents) {
    this(store, null, agents, Clock.systemUTC(), MAX_QUEUED, MAX_BATCH, FULL_WAIT);
  }

  MessageBusImpl(BusStore store, ChatService chat, AgentRegistry agents, Clock clock) {
    this(store, chat, agents, clock, MAX_QUEUED, MAX_BATCH, FULL_WAIT);
  }

  MessageBusImpl(BusStore store, ChatService chat, AgentRegistry agents, Clock clock, int maxQueued, int maxBatch,
      Duration fullWait) {
    this.store = store;
    this.chat = chat;
    this.agents = agents;
    this.clock = clock;
    AtomicInteger n = new AtomicInteger();
    this.pool = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "otterbot-bus-" + n.incrementAndGet());
      t.setDaemon(true);
      t.setContextClassLoader(null);
      return t;
    });
    this.queues = new AgentQueues(pool);
    this.writer = new BusWriter(store, this::deliver, maxQueued, maxBatch, fullWait);
  }

  @Deactivate
  void deactivate() {
    writer.close(STOP_WAIT);
    pool.shutdownNow();
    pending.values().forEach(f -> f.completeExceptionally(
        OtterbotException.unavailable("the message bus stopped", null)));
  }

  /** A new id for messages and threads: random and URL-safe. */
  public static String newId() {
    return UUID.randomUUID().toString().replace("-", "");
  }

  @Override
  public AgentMessage publish(AgentMessage draft) {
    AgentMessage stored = writer.write(complete(draft));
    if (AgentMessage.RESPONSE.equals(stored.kind()) && stored.correlationId() != null) {
      CompletableFuture<AgentMessage> waiting = pending.remove(stored.correlationId());
      if (waiting != null) {
        waiting.complete(stored);
      }
    } else if (AgentMessage.REQUEST.equals(stored.kind()) && stored.to() != null) {
      answer(stored);
    }
    return stored;
  }

  @Override
  public AgentMessage request(AgentMessage draft, Duration timeout) throws InterruptedException {
    if (draft.to() == null || draft.to().isBlank()) {
      throw OtterbotException.invalid("a request needs an addressee");
    }
    AgentMessage request = complete(new AgentMessage(draft.id(), 0, AgentMessage.REQUEST, draft.from(), draft.to(),
        draft.threadId(), draft.correlationId(), draft.rootSpawnId(), draft.body(), draft.payload(), draft.status(),
        draft.transport(), null));
    List<String> cycle = waits.tryWait(request.from(), request.to());
    if (cycle != null) {
      throw OtterbotException.conflict("delegation cycle: " + String.join(" -> ", cycle) + " (" + request.to()
          + " is already waiting for " + request.from() + "); answer without delegating back");
    }
    CompletableFuture<AgentMessage> response = new CompletableFuture<>();
    pending.put(request.id(), response); // before publishing: the answer may come at once
    awaited.put(request.id(), System.nanoTime() + timeout.toNanos());
    try {
      try {
        publish(request);
      } catch (RuntimeException e) {
        awaited.remove(request.id());
        throw e;
      }
      return response.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw OtterbotException.unavailable("request to " + request.to() + " timed out", null);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof OtterbotException o ? o
          : OtterbotException.unavailable("request to " + request.to() + " failed", e.getCause());
    } finally {
      pending.remove(request.id());
      waits.done(request.from(), request.to());
    }
  }

  @Override
  public List<AgentMessage> history(int limit) {
    if (limit < 0) {
      throw OtterbotException.invalid("limit must not be negative");
    }
    return store.last(Math.min(limit, MAX_HISTORY));
  }

  /** On the writer thread, in seq order, after the message is committed. */
  private void deliver(AgentMessage stored) {
    for (BusTransport transport : transports) {
      try {
        transport.send(stored);
      } catch (RuntimeException e) {
        LOG.warn("Bus transport {} failed on message {}: {}", safeId(transport), stored.seq(), e.toString());
      }
    }
  }

  /** Queues the request for its addressee, whose turn's answer is published as the response. */
  private void answer(AgentMessage request) {
    if (agents.get(request.to()).isEmpty()) {
      awaited.remove(request.id());
      respond(request, "Error: Unknown agent: " + request.to());
      return;
    }
    queues.submit(request.to(), () -> {
      Long deadline = awaited.remove(request.id());
      if (deadline != null && !pending.containsKey(request.id())) {
        // The requester timed out or went away while this waited in the queue: nobody would read the answer.
        LOG.info("Request {} from '{}' to '{}' dropped: its requester is no longer waiting", request.id(),
            request.from(), request.to());
        return;
      }
      String body;
      ChatService turns = chat;
      try {
        if (turns == null) {
          throw new IllegalStateException("chat is not available yet");
        }
        Duration left = deadline == null ? null
            : Duration.ofNanos(Math.max(0, deadline - System.nanoTime())).plus(ANSWER_GRACE);
        TurnRunner.Outcome outcome = TurnRunner.run(turns, request.to(), "bus-" + request.threadId(), request.body(),
            left);
        if (outcome.error() != null) {
          body = "Error: " + outcome.error();
        } else {
          body = outcome.text().isBlank() ? "(no response)" : outcome.text();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        body = "Error: the server is stopping";
      } catch (RuntimeException e) {
        LOG.error("Agent '{}' could not answer request {}: {}", request.to(), request.id(), e.toString());
        body = "Error: " + e.getMessage();
      }
      respond(request, body);
    });
  }

  private void respond(AgentMessage request, String body) {
    try {
      publish(new AgentMessage(null, 0, AgentMessage.RESPONSE, request.to(), request.from(), request.threadId(),
          request.id(), request.rootSpawnId(), body, null, null, AgentMessage.LOCAL, null));
    } catch (RuntimeException e) {
      // The requester then times out; say why here.
      LOG.error("The response of agent '{}' to request {} could not be published: {}", request.to(), request.id(),
          e.toString());
    }
  }

  /** Validates a draft and fills in what the bus assigns. */
  private AgentMessage complete(AgentMessage d) {
    if (d == null || d.kind() == null || !KINDS.contains(d.kind())) {
      throw OtterbotException.invalid("kind must be one of " + String.join(", ", KINDS.stream().sorted().toList()));
    }
    name(d.from(), "from");
    name(d.threadId(), "threadId");
    if (d.to() != null) {
      name(d.to(), "to");
    }
    String body = d.body() == null ? "" : d.body();
    if (body.length() > MAX_BODY) {
      throw OtterbotException.invalid("body is longer than " + MAX_BODY + " characters");
    }
    return new AgentMessage(d.id() == null ? newId() : d.id(), 0, d.kind(), d.from(), d.to(), d.threadId(),
        d.correlationId(), d.rootSpawnId(), body, d.payload(), d.status(),
        d.transport() == null ? AgentMessage.LOCAL : d.transport(), clock.instant());
  }

  private static void name(String value, String field) {
    if (value == null || value.isBlank() || value.length() > MAX_NAME) {
      throw OtterbotException.invalid(field + " must be 1 to " + MAX_NAME + " characters");
    }
  }

  private static String safeId(BusTransport transport) {
    try {
      return transport.id();
    } catch (RuntimeException e) {
      return transport.getClass().getName();
    }
  }
}
