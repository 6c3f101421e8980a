package otterbot.core.internal.bus;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import otterbot.api.OtterbotException;
import otterbot.api.orchestration.AgentMessage;
import otterbot.api.persistence.BusStore;

/**
 * The bus's group commit (issue 12). Publishers queue their message and wait; one writer thread takes everything
 * queued (at most {@code maxBatch}), stores it with one {@link BusStore#appendAll} (one transaction, one commit, seqs
 * in queue order), hands the stored messages to {@code deliver} in seq order and only then lets each publisher go. So
 * a message is still committed before anyone sees it, seqs stay gapless and in order, and a publisher still returns
 * only once its message is durable; what changes is that concurrent publishers share a commit instead of taking turns
 * at one commit each (publishing was serialised on one H2 commit per message, about 1.2 ms).
 *
 * <p>A publisher that finds nothing queued and nothing being stored stores its own message on its own thread, as
 * publishing did before: with one publisher at a time (a chat turn's tool calls) a hand-off to the writer and back
 * would only add two thread switches per message, which on two busy cores cost more than they save. Either way at
 * most one thread stores and delivers at a time ({@link #storing}), so order and seqs are the same.
 *
 * <p>A batch the store refuses is retried one message at a time, so a message that cannot be stored (an id already on
 * the bus) fails alone and the others are stored once each. The queue is bounded: a publisher waits at most
 * {@code fullWait} for room and then gets an {@code UNAVAILABLE} error naming the bound.
 */
final class BusWriter {
  private static final Logger LOG = LoggerFactory.getLogger(BusWriter.class);

  private final BusStore store;
  private final Consumer<AgentMessage> deliver;
  private final int maxQueued;
  private final int maxBatch;
  private final long fullWaitNanos;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition queued = lock.newCondition();
  private final Condition room = lock.newCondition();
  private final ArrayDeque<Entry> queue = new ArrayDeque<>();
  private final Thread thread;
  private boolean closed;
  /** The thread storing and delivering right now (the writer or a publisher on its own), or null; under the lock. */
  private Thread storing;

  /** A message waiting to be stored, and its publisher's answer. */
  private record Entry(AgentMessage message, CompletableFuture<AgentMessage> stored) {
  }

  /**
   * @param deliver called on the writer thread with each stored message, in seq order, before its publisher returns;
   *     it must not throw
   */
  BusWriter(BusStore store, Consumer<AgentMessage> deliver, int maxQueued, int maxBatch, Duration fullWait) {
    this.store = store;
    this.deliver = deliver;
    this.maxQueued = maxQueued;
    this.maxBatch = maxBatch;
    this.fullWaitNanos = fullWait.toNanos();
    this.thread = new Thread(this::run, "otterbot-bus-writer");
    thread.setDaemon(true);
    thread.setContextClassLoader(null);
    thread.start();
  }

  /**
   * Stores the message and delivers it; returns it as stored once both are done.
   *
   * @throws OtterbotException what the store threw for this message; {@code UNAVAILABLE} when the queue stayed full
   *     or the bus stopped
   */
  AgentMessage write(AgentMessage message) {
    Thread self = Thread.currentThread();
    var entry = new Entry(message, new CompletableFuture<>());
    lock.lock();
    try {
      if (storing == self) {
        // A delivery that publishes (a bridge answering at once) must not wait for the store it runs inside.
        lock.unlock();
        try {
          return storeOne(message);
        } finally {
          lock.lock();
        }
      }
      if (!closed && storing == null && queue.isEmpty()) {
        // Nobody to share a commit with: no hand-off.
        storing = self;
        lock.unlock();
        try {
          return storeOne(message);
        } finally {
          lock.lock();
          storing = null;
          queued.signal(); // what was queued meanwhile is the writer's
        }
      }
      long left = fullWaitNanos;
      while (!closed && queue.size() >= maxQueued) {
        if (left <= 0) {
          throw OtterbotException.unavailable("the message bus is overloaded: " + maxQueued
              + " messages are waiting to be stored; the message was not stored", null);
        }
        try {
          left = room.awaitNanos(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw OtterbotException.unavailable("interrupted while the message bus was full; the message was not stored",
              null);
        }
      }
      if (closed) {
        throw stopped();
      }
      queue.add(entry);
      queued.signal();
    } finally {
      lock.unlock();
    }
    return await(entry.stored());
  }

  /**
   * Waits for the writer without giving up on an interrupt: the message is queued and will be stored, so the caller
   * must learn its seq or its error. The writer completes every entry it takes, and {@link #close} every one it
   * leaves, so this ends.
   */
  private static AgentMessage await(CompletableFuture<AgentMessage> stored) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return stored.get();
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          throw e.getCause() instanceof RuntimeException r ? r
              : OtterbotException.unavailable("the message could not be stored", e.getCause());
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Stops taking messages; what is queued is still stored if the writer finishes within {@code wait}, the rest fails
   * with {@code UNAVAILABLE}. The writer is never interrupted: an interrupt inside a JDBC call can close H2's file.
   */
  void close(Duration wait) {
    lock.lock();
    try {
      closed = true;
      queued.signalAll();
      room.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      thread.join(Math.max(1, wait.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    lock.lock();
    try {
      Entry e;
      while ((e = queue.poll()) != null) {
        e.stored().completeExceptionally(stopped());
      }
    } finally {
      lock.unlock();
    }
  }

  private void run() {
    var batch = new ArrayList<Entry>(maxBatch);
    while (true) {
      lock.lock();
      try {
        while (queue.isEmpty() || storing != null) {
          if (closed && queue.isEmpty()) {
            return; // nothing left to store
          }
          queued.awaitUninterruptibly();
        }
        for (int i = 0; i < maxBatch && !queue.isEmpty(); i++) {
          batch.add(queue.poll());
        }
        storing = thread;
        room.signalAll();
      } finally {
        lock.unlock();
      }
      try {
        storeAndDeliver(batch);
      } finally {
        batch.clear();
        lock.lock();
        try {
          storing = null;
        } finally {
          lock.unlock();
        }
      }
    }
  }

  /** Stores and delivers one message on the caller's thread, which holds {@link #storing}. */
  private AgentMessage storeOne(AgentMessage message) {
    AgentMessage stored = store.append(message);
    try {
      deliver.accept(stored);
    } catch (RuntimeException e) {
      LOG.warn("Delivering bus message {} failed: {}", stored.seq(), e.toString());
    }
    return stored;
  }

  private void storeAndDeliver(List<Entry> batch) {
    List<AgentMessage> stored;
    try {
      stored = store.appendAll(batch.stream().map(Entry::message).toList());
    } catch (RuntimeException e) {
      if (batch.size() == 1) {
        batch.get(0).stored().completeExceptionally(e);
        return;
      }
      // Nothing of the batch was stored. One at a time, so that only the message at fault fails.
      LOG.debug("A batch of {} bus messages was refused ({}); storing them one by one", batch.size(), e.toString());
      for (Entry entry : batch) {
        storeAndDeliver(List.of(entry));
      }
      return;
    }
    for (int i = 0; i < batch.size(); i++) {
      AgentMessage message = stored.get(i);
      try {
        deliver.accept(message);
      } catch (RuntimeException e) {
        LOG.warn("Delivering bus message {} failed: {}", message.seq(), e.toString());
      }
      batch.get(i).stored().complete(message);
    }
  }

  /** How many messages wait for the writer (not counting the batch it is storing). */
  int queued() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  private static OtterbotException stopped() {
    return OtterbotException.unavailable("the message bus stopped; the message was not stored", null);
  }
}
