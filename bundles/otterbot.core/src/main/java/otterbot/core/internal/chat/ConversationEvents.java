package otterbot.core.internal.chat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import otterbot.api.agent.AgentProfile;
import otterbot.api.chat.ConversationListener;

/**
 * Tells the {@link ConversationListener}s when conversations end: on {@code chat:close}, on disconnect, and after
 * {@code conversationIdleMinutes} without a message (upstream-behaviour §7.4). Close events run one after the other
 * on one daemon thread behind a bounded queue: a listener that is slow delays other closes, never a chat.
 *
 * <p>Bounded: at most {@link #MAX_TRACKED} conversations are watched for idleness (beyond that the least recently
 * active is closed as idle at once) and at most {@link #MAX_QUEUED} close events wait (more are dropped with a warning;
 * a listener that learns is idempotent per conversation, so a later close catches up).
 */
final class ConversationEvents implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConversationEvents.class);
  static final int MAX_TRACKED = 10_000;
  static final int MAX_QUEUED = 1_000;

  private record Active(AgentProfile agent, Instant lastActivity) {}

  private final List<ConversationListener> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, Active> active = new ConcurrentHashMap<>();
  private final ThreadPoolExecutor events;
  private final Clock clock;
  private final Duration idle;

  ConversationEvents(Clock clock, Duration idle) {
    this.clock = clock;
    this.idle = idle;
    this.events = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(MAX_QUEUED),
        ChatServiceImpl.daemonThreads("otterbot-conversation-events-"));
  }

  void add(ConversationListener listener) {
    listeners.add(listener);
  }

  void remove(ConversationListener listener) {
    listeners.remove(listener);
  }

  List<ConversationListener> listeners() {
    return listeners;
  }

  /** A message of the conversation arrived: it is active (again) and watched for idleness. */
  void activity(AgentProfile agent, String conversationId) {
    active.put(conversationId, new Active(agent, clock.instant()));
    if (active.size() > MAX_TRACKED) {
      active.entrySet().stream().min(Comparator.comparing(e -> e.getValue().lastActivity()))
          .ifPresent(oldest -> closed(oldest.getValue().agent(), oldest.getKey(), ConversationListener.IDLE));
    }
  }

  /** Closes every conversation idle for longer than the idle time; run periodically. */
  void sweep() {
    Instant limit = clock.instant().minus(idle);
    List<Map.Entry<String, Active>> idleOnes = new ArrayList<>();
    for (Map.Entry<String, Active> entry : active.entrySet()) {
      if (entry.getValue().lastActivity().isBefore(limit)) {
        idleOnes.add(entry);
      }
    }
    for (Map.Entry<String, Active> entry : idleOnes) {
      closed(entry.getValue().agent(), entry.getKey(), ConversationListener.IDLE);
    }
  }

  /** The conversation ended: stop watching it and tell the listeners in the background. */
  void closed(AgentProfile agent, String conversationId, String reason) {
    active.remove(conversationId);
    later(conversationId, reason, () -> notifyClosed(agent, conversationId, reason));
  }

  /**
   * Runs {@code check} in the background, and if it names the conversation's agent, closes it there: for closes that
   * come from an event loop, which must not wait for the database.
   */
  void closeChecked(String conversationId, String reason, java.util.function.Supplier<java.util.Optional<AgentProfile>> check) {
    later(conversationId, reason, () -> check.get().ifPresent(agent -> {
      active.remove(conversationId);
      notifyClosed(agent, conversationId, reason);
    }));
  }

  private void later(String conversationId, String reason, Runnable task) {
    if (listeners.isEmpty()) {
      return;
    }
    try {
      events.execute(() -> {
        try {
          task.run();
        } catch (RuntimeException e) {
          LOG.warn("The close of conversation {} failed: {}", conversationId, e.toString());
        }
      });
    } catch (RejectedExecutionException e) {
      LOG.warn("{} conversation closes are waiting; the close of {} ({}) is dropped", MAX_QUEUED, conversationId,
          reason);
    }
  }

  private void notifyClosed(AgentProfile agent, String conversationId, String reason) {
    for (ConversationListener listener : listeners) {
      try {
        listener.closed(agent, conversationId, reason);
      } catch (RuntimeException | LinkageError e) {
        LOG.warn("A conversation listener failed on the close of {}: {}", conversationId, e.toString());
      }
    }
  }

  @Override
  public void close() {
    events.shutdownNow();
    active.clear();
  }
}
