package otterbot.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import otterbot.api.orchestration.AgentMessage;
import otterbot.api.orchestration.MessageBus;
import otterbot.core.internal.bus.MessageBusImpl;
import otterbot.persistence.jpa.internal.JpaBusStore;
import otterbot.persistence.jpa.internal.JpaDatabase;

/**
 * {@code bus.direct} (issue 12): the bus without the agents around it, in this JVM with the server's own classes (no
 * server, no model, no Socket.IO). P threads publish broadcasts back to back through {@link MessageBusImpl} on the
 * JPA store, on H2 (a file in a temporary directory, as the server's) and on PostgreSQL (127.0.0.1:5432, skipped when
 * none answers). For comparison, the same publishers call {@link JpaBusStore#append} one message per commit under one
 * lock: what {@code publish} did before the group commit. Prints messages/s and this JVM's CPU per 1,000 messages,
 * and checks that the stored seqs are 1..n without gaps and that every publisher got strictly increasing seqs.
 */
final class BusDirectBench {
  static final String PART = "bus.direct";

  private BusDirectBench() {
  }

  static void run(List<Integer> publisherCounts, int warmupSeconds, int seconds) throws Exception {
    line("Bus, direct: broadcasts published by P threads back to back, in this JVM (%d cores, load average %s)",
        Runtime.getRuntime().availableProcessors(), Bench.loadAverage());
    line("  %ds warm-up then %ds per row; CPU is this JVM's (publishers included) per 1,000 messages stored", warmupSeconds,
        seconds);
    Path dir = Files.createTempDirectory("otterbot-bench-bus-");
    try {
      for (String db : List.of("H2", "PostgreSQL")) {
        for (int publishers : publisherCounts) {
          for (String mode : List.of("one commit per message", "group commit")) {
            JpaDatabase database = open(db, dir, publishers + "-" + mode.length());
            if (database == null) {
              line("  %-10s skipped: no PostgreSQL on 127.0.0.1:5432", db);
              break;
            }
            try {
              var store = new JpaBusStore(database);
              Function<AgentMessage, AgentMessage> publish;
              if (mode.equals("group commit")) {
                // No agent registry: broadcasts never reach it. Its writer thread is a daemon and idles after the row.
                MessageBus bus = new MessageBusImpl(store, null);
                publish = bus::publish;
              } else {
                Object lock = new Object();
                publish = m -> {
                  synchronized (lock) {
                    return store.append(m);
                  }
                };
              }
              measure(db, mode, publishers, publish, store, warmupSeconds, seconds);
            } finally {
              database.shutdown();
              drop(db);
            }
          }
        }
      }
    } finally {
      ServerProcess.deleteTree(dir);
    }
  }

  private static void measure(String db, String mode, int publishers, Function<AgentMessage, AgentMessage> publish,
      JpaBusStore store, int warmupSeconds, int seconds) throws Exception {
    var stop = new AtomicBoolean();
    var counting = new AtomicBoolean();
    var counted = new AtomicLong();
    var problems = new AtomicLong();
    var start = new CountDownLatch(1);
    var threads = new ArrayList<Thread>();
    for (int p = 0; p < publishers; p++) {
      String from = "p" + p;
      Thread t = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        long last = 0;
        while (!stop.get()) {
          AgentMessage m = publish.apply(AgentMessage.draft(AgentMessage.BROADCAST, from, null,
              MessageBusImpl.newId(), null, null, "bench broadcast from " + from));
          if (m.seq() <= last) {
            problems.incrementAndGet();
          }
          last = m.seq();
          if (counting.get()) {
            counted.incrementAndGet();
          }
        }
      }, "bench-bus-publisher-" + p);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    start.countDown();
    Thread.sleep(warmupSeconds * 1000L);
    long cpu0 = cpuNanos();
    long t0 = System.nanoTime();
    counting.set(true);
    Thread.sleep(seconds * 1000L);
    counting.set(false);
    long t1 = System.nanoTime();
    long cpu1 = cpuNanos();
    stop.set(true);
    for (Thread t : threads) {
      t.join(30_000);
    }
    List<AgentMessage> recent = store.last(MessageBus.MAX_HISTORY);
    long gaps = 0;
    for (int i = 1; i < recent.size(); i++) {
      if (recent.get(i).seq() != recent.get(i - 1).seq() + 1) {
        gaps++;
      }
    }
    long total = recent.isEmpty() ? 0 : recent.get(recent.size() - 1).seq();
    double secs = (t1 - t0) / 1e9;
    double perS = counted.get() / secs;
    double cpuPer1000 = counted.get() == 0 ? -1 : (cpu1 - cpu0) / 1e6 / counted.get() * 1000;
    line("  %-10s %-24s P=%-3d %8.0f msgs/s   CPU %6.0f ms per 1,000   (%d stored in all; gaps in the last %d: %d;"
        + " a publisher's seqs not increasing: %d)", db, mode, publishers, perS, cpuPer1000, total, recent.size(), gaps,
        problems.get());
  }

  /** This JVM's CPU time (all threads, user + system). */
  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static JpaDatabase open(String db, Path dir, String name) {
    if (db.equals("H2")) {
      return JpaDatabase.standalone("jdbc:h2:file:" + dir.resolve("bus-" + name.replace(' ', '-')), null, "", null,
          dir);
    }
    if (!drop(db)) {
      return null;
    }
    return JpaDatabase.standalone("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "", "otterbot_bench_bus", dir);
  }

  private static boolean drop(String db) {
    if (!db.equals("PostgreSQL")) {
      return true;
    }
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "");
        Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS otterbot_bench_bus CASCADE");
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private static void line(String format, Object... args) {
    System.out.println(String.format(Locale.ROOT, format, args));
  }
}
