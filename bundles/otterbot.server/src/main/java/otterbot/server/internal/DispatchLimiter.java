package otterbot.server.internal;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs at most {@code limit} tasks at once on an executor and queues the rest in arrival order, unless the running ones
 * stop making progress.
 *
 * <p>Why (issue 12): handed to Jetty's pool one by one, the in-process connector's requests each got a thread of their
 * own under load (70 threads for 64 clients), and two cores time-sliced between them: measured with wrk at 64
 * connections, the p99 of {@code GET /api/agents} was 37-65 ms unbounded and 15-24 ms with 4 at a time, at the same or
 * better throughput. The few running threads take the queued requests one after another without a hand-off.
 *
 * <p>Why the exception: a request may wait for something (a slow client while its answer is written, a plug-in's
 * resource calling out), and requests queued behind a few such would wait too. So a watchdog looks every
 * {@code stallMillis} while requests are queued, and when none of the running tasks finished in that time it starts
 * one more. The queue itself is bounded by the front: each of its connections has at most one request in flight.
 */
final class DispatchLimiter implements Executor {
  private static final Logger LOG = LoggerFactory.getLogger(DispatchLimiter.class);

  private final Executor executor;
  private final int limit;
  private final long stallMillis;
  /** Schedules the watchdog: {@code (task, delayMillis)}. */
  private final BiConsumer<Runnable, Long> scheduler;

  // Guarded by this.
  private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
  private int running;
  private long finished;
  private long finishedAtLastLook;
  private boolean watching;

  /**
   * @param executor runs the tasks (Jetty's thread pool)
   * @param limit tasks running at once while they make progress
   * @param stallMillis how long the running tasks may all go without finishing before one more is started
   * @param scheduler runs a task after a delay in milliseconds (Jetty's scheduler)
   */
  DispatchLimiter(Executor executor, int limit, long stallMillis, BiConsumer<Runnable, Long> scheduler) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit " + limit);
    }
    this.executor = executor;
    this.limit = limit;
    this.stallMillis = stallMillis;
    this.scheduler = scheduler;
  }

  /** Twice the cores, at least two: enough to keep the cores busy while one thread waits on a lock or a write. */
  static int defaultLimit() {
    return Math.max(2, 2 * Runtime.getRuntime().availableProcessors());
  }

  @Override
  public void execute(Runnable task) {
    boolean queued;
    boolean watch = false;
    synchronized (this) {
      queued = running >= limit;
      if (queued) {
        queue.add(task);
        if (!watching) {
          watching = true;
          finishedAtLastLook = finished;
          watch = true;
        }
      } else {
        running++;
      }
    }
    if (watch) {
      watchLater();
    }
    if (!queued) {
      start(task);
    }
  }

  private void start(Runnable first) {
    try {
      executor.execute(() -> runFrom(first));
    } catch (RuntimeException rejected) {
      // The pool is stopping: the task cannot run, as it could not on a socket connector either.
      synchronized (this) {
        running--;
      }
      LOG.debug("Jetty's pool refused a task: {}", rejected.toString());
    }
  }

  /** Runs {@code first}, then queued tasks while this thread is within the limit. */
  private void runFrom(Runnable first) {
    Runnable next = first;
    while (next != null) {
      try {
        next.run();
      } catch (Throwable t) {
        LOG.warn("A task of the in-process connection to Jetty failed", t);
      }
      synchronized (this) {
        finished++;
        next = running <= limit ? queue.poll() : null;
        if (next == null) {
          running--;
        }
      }
    }
  }

  /** The watchdog: while tasks are queued, starts one more whenever the running ones made no progress. */
  private void look() {
    Runnable extra = null;
    synchronized (this) {
      if (queue.isEmpty()) {
        watching = false;
        return;
      }
      if (finished == finishedAtLastLook) {
        extra = queue.poll();
        running++;
      }
      finishedAtLastLook = finished;
    }
    if (extra != null) {
      start(extra);
    }
    watchLater();
  }

  private void watchLater() {
    try {
      scheduler.accept(this::look, stallMillis);
    } catch (RuntimeException stopping) {
      // Jetty's scheduler is stopping, and with it the connector: its connections are closed, nothing waits for this
      LOG.debug("No watchdog for the queued in-process requests: {}", stopping.toString());
    }
  }

  /** Tasks running now; for tests. */
  synchronized int running() {
    return running;
  }

  /** Tasks waiting; for tests. */
  synchronized int queued() {
    return queue.size();
  }
}
