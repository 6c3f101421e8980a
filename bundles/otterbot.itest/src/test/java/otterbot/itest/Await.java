package otterbot.itest;

import java.time.Duration;
import java.util.function.Supplier;

/** Polls a condition instead of sleeping a fixed time: fast when the system is fast, patient when it is loaded. */
final class Await {
  private Await() {}

  static <T> T until(String what, Duration timeout, Supplier<T> probe) {
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try {
        T value = probe.get();
        if (value != null && !Boolean.FALSE.equals(value)) {
          return value;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      try {
        Thread.sleep(25);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for " + what);
      }
    }
    throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what, last);
  }
}
