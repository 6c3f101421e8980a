package otterbot.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DispatchLimiterTest {
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() {
    pool.shutdownNow();
    timer.shutdownNow();
  }

  private DispatchLimiter limiter(int limit, long stallMillis) {
    return new DispatchLimiter(pool, limit, stallMillis,
        (task, delay) -> timer.schedule(task, delay, TimeUnit.MILLISECONDS));
  }

  @Test
  void runsAtMostTheLimitAtOnceWhileTheTasksProgress() throws Exception {
    // A long stall time: the tasks make progress, so the watchdog never adds one.
    var limiter = limiter(2, 60_000);
    var atOnce = new AtomicInteger();
    var most = new AtomicInteger();
    var done = new CountDownLatch(200);
    for (int i = 0; i < 200; i++) {
      limiter.execute(() -> {
        most.accumulateAndGet(atOnce.incrementAndGet(), Math::max);
        busy(100_000);
        atOnce.decrementAndGet();
        done.countDown();
      });
    }
    assertTrue(done.await(30, TimeUnit.SECONDS));
    assertTrue(most.get() <= 2, "at most 2 at once, saw " + most.get());
    waitUntil(() -> limiter.running() == 0);
    assertEquals(0, limiter.queued());
  }

  @Test
  void tasksThatAllWaitLetOneMoreInPerStall() throws Exception {
    var limiter = limiter(2, 20);
    var gate = new CountDownLatch(1);
    var started = new AtomicInteger();
    var done = new CountDownLatch(6);
    for (int i = 0; i < 5; i++) {
      limiter.execute(() -> {
        started.incrementAndGet();
        await(gate);
        done.countDown();
      });
    }
    var quick = new CountDownLatch(1);
    limiter.execute(() -> {
      quick.countDown();
      done.countDown();
    });
    // Two run at once; nothing finishes, so every 20 ms one more starts, and the quick one gets its turn.
    assertTrue(quick.await(10, TimeUnit.SECONDS), "the quick task ran although the others all wait");
    assertEquals(5, started.get());
    gate.countDown();
    assertTrue(done.await(10, TimeUnit.SECONDS));
    waitUntil(() -> limiter.running() == 0);
  }

  @Test
  void aRefusedTaskFreesItsPlace() throws Exception {
    var refusing = new DispatchLimiter(task -> {
      throw new java.util.concurrent.RejectedExecutionException("stopping");
    }, 1, 60_000, (task, delay) -> { });
    refusing.execute(() -> { });
    refusing.execute(() -> { });
    assertEquals(0, refusing.running());
  }

  private static void busy(long nanos) {
    long end = System.nanoTime() + nanos;
    while (System.nanoTime() < end) {
      Thread.onSpinWait();
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertTrue(condition.getAsBoolean());
  }
}
