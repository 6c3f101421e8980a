package otterbot.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PluginCallsTest {
  final PluginCalls calls = new PluginCalls("test-plugin-");

  @AfterEach
  void close() {
    calls.close();
  }

  @Test
  void aCallThatMustRunToItsEndIsNotInterruptedWhenItsCallerIs() throws Exception {
    var release = new CountDownLatch(1);
    var started = new CountDownLatch(1);
    var callInterrupted = new AtomicBoolean();
    PluginCalls.Started<String> commit = calls.start(() -> {
      started.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        callInterrupted.set(true);
        throw e;
      }
      return "committed";
    });
    assertTrue(started.await(5, TimeUnit.SECONDS));
    Thread caller = Thread.currentThread();
    Thread helper = new Thread(() -> {
      caller.interrupt(); // a cancel of the turn, while it waits for its commit
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      }
      release.countDown();
    });
    helper.start();
    try {
      assertEquals("committed", commit.awaitToTheEnd(Duration.ofSeconds(10)));
      assertTrue(Thread.interrupted(), "the caller's interrupt is kept for later");
    } finally {
      helper.join();
      Thread.interrupted();
    }
    assertFalse(callInterrupted.get(), "the call ran to its end");
  }

  @Test
  void aCallThatTakesTooLongIsAbandonedAndInterrupted() throws Exception {
    var interrupted = new CountDownLatch(1);
    PluginCalls.Started<String> slow = calls.start(() -> {
      try {
        Thread.sleep(60_000);
      } catch (InterruptedException e) {
        interrupted.countDown();
      }
      return "late";
    });
    assertThrows(PluginCalls.Timeout.class, () -> slow.await(Duration.ofMillis(50)));
    assertTrue(interrupted.await(5, TimeUnit.SECONDS), "a plug-in that hangs is interrupted");
  }
}
