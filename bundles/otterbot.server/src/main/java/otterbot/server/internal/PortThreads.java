package otterbot.server.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;

import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Names every thread of the public port {@code otterbot-port-<role>-...} and remembers them, so that stopping can wait
 * until they are really gone: a bundle that is stopped or refreshed must not leave threads running its old classes.
 */
final class PortThreads {
  static final String PREFIX = "otterbot-port-";

  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();

  /** Daemon threads, so a forgotten front never keeps a JVM alive. */
  ThreadFactory factory(String role) {
    return new DefaultThreadFactory(PREFIX + role, true) {
      @Override
      protected Thread newThread(Runnable r, String name) {
        Thread thread = super.newThread(r, name);
        threads.add(thread);
        return thread;
      }
    };
  }

  /** @return whether every thread ended within {@code millis} */
  boolean awaitTermination(long millis) {
    long deadline = System.nanoTime() + millis * 1_000_000L;
    for (Thread thread : threads) {
      long left = (deadline - System.nanoTime()) / 1_000_000L;
      if (left > 0) {
        try {
          thread.join(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      if (!thread.isAlive()) {
        threads.remove(thread);
      }
    }
    return threads.isEmpty();
  }
}
