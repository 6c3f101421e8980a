package otterbot.core.internal;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Calls into plug-in code (tools, providers) on threads of its own, with a deadline: a plug-in that hangs costs one
 * of these threads, never the caller's (a chat turn, a REST request), and never a lock the caller holds.
 */
public final class PluginCalls implements AutoCloseable {
  private final ExecutorService pool;

  public PluginCalls(String threadPrefix) {
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

  /** Starts {@code call} now; its result is collected later with {@link Started#await}, so calls can overlap. */
  public <T> Started<T> start(Callable<T> call) {
    return new Started<>(pool.submit(call));
  }

  /** A call that was started. */
  public static final class Started<T> {
    private final Future<T> future;

    Started(Future<T> future) {
      this.future = future;
    }

    /** As {@link PluginCalls#call}: waits at most {@code timeout} for the result, interrupting the call after it. */
    public T await(Duration timeout) throws Exception {
      try {
        return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        future.cancel(true);
        throw new Timeout(timeout);
      } catch (InterruptedException e) {
        future.cancel(true);
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
            return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          } catch (InterruptedException e) {
            interrupted = true;
          } catch (TimeoutException e) {
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
      future.cancel(true);
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
