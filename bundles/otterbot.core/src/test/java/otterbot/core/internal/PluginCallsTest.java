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

import otterbot.api.OtterbotException;

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

  /**
   * A plug-in that hangs and ignores interrupts keeps the thread of every call given up on; the threads so kept are
   * bounded: beyond the bound new calls are refused with a clear reason, and accepted again once some of them end.
   */
  @Test
  void callsGivenUpOnThatIgnoreTheirInterruptAreBoundedAndNewCallsAreRefusedUntilTheyEnd() throws Exception {
    var bounded = new PluginCalls("test-bounded-", 2);
    var release = new CountDownLatch(1);
    try {
      for (int i = 0; i < 2; i++) {
        PluginCalls.Started<String> deaf = bounded.start(() -> {
          while (true) {
            try {
              if (release.await(10, TimeUnit.SECONDS)) {
                return "late";
              }
            } catch (InterruptedException ignored) {
              // a careless plug-in
            }
          }
        });
        assertThrows(PluginCalls.Timeout.class, () -> deaf.await(Duration.ofMillis(20)));
      }
      OtterbotException refused = assertThrows(OtterbotException.class, () -> bounded.start(() -> "next"));
      assertEquals(OtterbotException.Kind.UNAVAILABLE, refused.kind());
      assertTrue(refused.getMessage().contains("2 earlier calls did not end"), refused.getMessage());

      release.countDown(); // the plug-in lets go: its threads end, and calls are taken again
      assertEquals("next", soonAccepted(bounded, "next"));
    } finally {
      release.countDown();
      bounded.close();
    }
  }

  /** Calls that end when interrupted, or end in time, hold no thread afterwards: they never count against the bound. */
  @Test
  void callsThatEndWhenInterruptedDoNotCountAgainstTheBound() throws Exception {
    var bounded = new PluginCalls("test-bounded-", 1);
    try {
      for (int i = 0; i < 20; i++) {
        var ended = new CountDownLatch(1);
        PluginCalls.Started<String> slow = bounded.start(() -> {
          try {
            Thread.sleep(60_000);
            return "late";
          } finally {
            ended.countDown();
          }
        });
        assertThrows(PluginCalls.Timeout.class, () -> slow.await(Duration.ofMillis(5)));
        assertTrue(ended.await(5, TimeUnit.SECONDS));
        assertEquals("quick", soonAccepted(bounded, "quick"), "call " + i);
      }
    } finally {
      bounded.close();
    }
  }

  /** The answer of a call answering {@code value}, once the calls are accepted (a thread that ended counts down last). */
  private static String soonAccepted(PluginCalls bounded, String value) throws Exception {
    for (int i = 0; ; i++) {
      try {
        return bounded.start(() -> value).await(Duration.ofSeconds(5));
      } catch (OtterbotException refused) {
        if (i == 100) {
          throw refused;
        }
        Thread.sleep(50);
      }
    }
  }
}
