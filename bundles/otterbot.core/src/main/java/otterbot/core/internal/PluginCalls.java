package otterbot.core.internal;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import otterbot.api.OtterbotException;

/**
 * Calls into plug-in code (tools, providers) on threads of its own, with a deadline: a plug-in that hangs costs one
 * of these threads, never the caller's (a chat turn, a REST request), and never a lock the caller holds.
 *
 * <p>Bounded: a call its caller gave up on (its deadline passed, or the caller was cancelled) is interrupted, and a
 * plug-in deaf to that keeps its thread. At most {@link #MAX_ABANDONED} such threads are kept; beyond that new calls
 * are refused as unavailable, with the reason in the log, until some of them end. Without the bound a plug-in that
 * hangs on every call would cost a thread per call for as long as the server runs.
 */
public final class PluginCalls implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PluginCalls.class);
  /** How many calls given up on may still hold a thread before new calls are refused. */
  public static final int MAX_ABANDONED = 256;

  private final ExecutorService pool;
  private final String threadPrefix;
  private final int maxAbandoned;
  /** Calls given up on that still run. */
  private final AtomicInteger abandoned = new AtomicInteger();
  /** Whether the refusal was logged since the count was last below the bound: once per episode, not per call. */
  private final AtomicBoolean refusing = new AtomicBoolean();

  public PluginCalls(String threadPrefix) {
    this(threadPrefix, MAX_ABANDONED);
  }

  PluginCalls(String threadPrefix, int maxAbandoned) {
    this.threadPrefix = threadPrefix;
    this.maxAbandoned = maxAbandoned;
    AtomicInteger n = new AtomicInteger();
    pool = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, threadPrefix + n.incrementAndGet());
      t.setDaemon(true);
      t.setContextClassLoader(null);
      return t;
    });
  }

  /** The plug-in did not answer in time; the call was interrupted and abandoned. */
  public static final class Timeout extends Exception {
    private static final long serialVersionUID = 1L;

    Timeout(Duration timeout) {
      super("no answer within " + timeout.toSeconds() + " s", null, false, false);
    }
  }

  /**
   * Runs {@code call} and waits at most {@code timeout}. An exception the call throws is rethrown as it is (an Error
   * is wrapped in a RuntimeException).
   *
   * @throws Timeout when it takes longer (the call is interrupted)
   * @throws InterruptedException when the caller is interrupted (the call is interrupted too)
   */
  public <T> T call(Callable<T> call, Duration timeout) throws Exception {
    return start(call).await(timeout);
  }

  /**
   * Starts {@code call} now; its result is collected later with {@link Started#await}, so calls can overlap.
   *
   * @throws OtterbotException (unavailable) when {@link #MAX_ABANDONED} calls given up on still hold their threads
   */
  public <T> Started<T> start(Callable<T> call) {
    int stuck = abandoned.get();
    if (stuck >= maxAbandoned) {
      if (refusing.compareAndSet(false, true)) {
        LOG.error("{} plug-in calls still run after their callers gave up on them and were interrupted (a plug-in that"
            + " hangs and ignores interrupts; a thread dump, jcmd <pid> Thread.print, shows them as {}*); new calls"
            + " are refused until some of them end", stuck, threadPrefix);
      }
      throw OtterbotException.unavailable("the server is refusing plug-in calls: " + stuck + " earlier calls did not"
          + " end after they were given up on (a plug-in that hangs; the server log has the details)", null);
    }
    Tracked<T> tracked = new Tracked<>(call);
    tracked.future = pool.submit(tracked);
    return new Started<>(tracked);
  }

  /** A call and whether its caller gave up on it while it ran: those are counted until they end. */
  private final class Tracked<T> implements Callable<T> {
    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int ABANDONED = 2;
    private static final int GIVEN_UP_BEFORE_IT_RAN = 3;
    private static final int ENDED = 4;

    private final Callable<T> call;
    private final AtomicInteger state = new AtomicInteger(NEW);
    volatile Future<T> future;

    Tracked(Callable<T> call) {
      this.call = call;
    }

    @Override
    public T call() throws Exception {
      if (!state.compareAndSet(NEW, RUNNING)) {
        throw new CancellationException("given up before it ran");
      }
      try {
        return call.call();
      } finally {
        if (state.getAndSet(ENDED) == ABANDONED && abandoned.decrementAndGet() < maxAbandoned) {
          refusing.set(false);
        }
      }
    }

    /** The caller no longer waits: counted while it still runs, and interrupted unless {@code interrupt} is false. */
    void giveUp(boolean interrupt) {
      // The state only moves forward (NEW to RUNNING to ENDED, or to one of the given-up states), so once it is not
      // NEW it never is again, and one attempt at each step is enough.
      if (!state.compareAndSet(NEW, GIVEN_UP_BEFORE_IT_RAN) && state.compareAndSet(RUNNING, ABANDONED)) {
        abandoned.incrementAndGet();
      }
      if (interrupt) {
        future.cancel(true);
      }
    }
  }

  /** A call that was started. */
  public static final class Started<T> {
    private final Tracked<T> tracked;

    Started(Tracked<T> tracked) {
      this.tracked = tracked;
    }

    /** As {@link PluginCalls#call}: waits at most {@code timeout} for the result, interrupting the call after it. */
    public T await(Duration timeout) throws Exception {
      try {
        return tracked.future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        tracked.giveUp(true);
        throw new Timeout(timeout);
      } catch (InterruptedException e) {
        tracked.giveUp(true);
        throw e;
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof Exception ex) {
          throw ex;
        }
        // An Error from a plug-in (a class of a bundle that went away, a stack overflow) is its failure, not ours.
        throw new RuntimeException(String.valueOf(cause), cause);
      }
    }

    /**
     * Waits at most {@code timeout} for the result and never interrupts the call, not even when the caller is
     * interrupted (the interrupt is kept for later): for work that must run to its end once started, such as a commit,
     * whose interruption could leave the database in doubt.
     */
    public T awaitToTheEnd(Duration timeout) throws Exception {
      long deadline = System.nanoTime() + timeout.toNanos();
      boolean interrupted = false;
      try {
        while (true) {
          try {
            return tracked.future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          } catch (InterruptedException e) {
            interrupted = true;
          } catch (TimeoutException e) {
            tracked.giveUp(false); // not interrupted, as promised; it counts while it holds its thread
            throw new Timeout(timeout);
          } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
              throw ex;
            }
            throw new RuntimeException(String.valueOf(cause), cause);
          }
        }
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }

    /** Interrupts the call if it still runs. */
    public void cancel() {
      tracked.giveUp(true);
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
