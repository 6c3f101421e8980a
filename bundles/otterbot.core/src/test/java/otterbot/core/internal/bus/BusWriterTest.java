package otterbot.core.internal.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.LongStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import otterbot.api.OtterbotException;
import otterbot.api.orchestration.AgentMessage;
import otterbot.api.persistence.BusStore;

/** The group commit: batches, order, gapless seqs, failures and back-pressure, against an in-memory store. */
class BusWriterTest {
  final List<AgentMessage> stored = new ArrayList<>();
  final List<Integer> batches = new CopyOnWriteArrayList<>();
  final List<AgentMessage> delivered = new CopyOnWriteArrayList<>();
  /** The store waits for this before its first append: lets a test queue messages behind a commit in progress. */
  volatile CountDownLatch gate = new CountDownLatch(0);
  /** Counted down when the store is first entered. */
  final CountDownLatch storing = new CountDownLatch(1);
  /** A list that contains a message matching this is refused as a whole, like a database transaction. */
  volatile Predicate<AgentMessage> refuse = m -> false;
  final ExecutorService publishers = Executors.newCachedThreadPool();
  BusWriter writer;

  final BusStore store = new BusStore() {
    @Override
    public AgentMessage append(AgentMessage message) {
      return appendAll(List.of(message)).get(0);
    }

    @Override
    public List<AgentMessage> appendAll(List<AgentMessage> messages) {
      storing.countDown();
      try {
        gate.await();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      synchronized (stored) {
        batches.add(messages.size());
        if (messages.stream().anyMatch(refuse)) {
          throw messages.size() == 1 ? OtterbotException.conflict(messages.get(0).id() + " is refused")
              : OtterbotException.unavailable("the batch failed", null);
        }
        var out = new ArrayList<AgentMessage>();
        for (AgentMessage m : messages) {
          var s = new AgentMessage(m.id(), stored.size() + 1, m.kind(), m.from(), m.to(), m.threadId(), null, null,
              m.body(), null, null, m.transport(), m.createdAt());
          stored.add(s);
          out.add(s);
        }
        return out;
      }
    }

    @Override
    public List<AgentMessage> last(int limit) {
      return List.of();
    }
  };

  BusWriter writer(int maxQueued, int maxBatch, Duration fullWait) {
    writer = new BusWriter(store, delivered::add, maxQueued, maxBatch, fullWait);
    return writer;
  }

  @AfterEach
  void tearDown() {
    gate.countDown();
    if (writer != null) {
      writer.close(Duration.ofSeconds(5));
    }
    publishers.shutdownNow();
  }

  static AgentMessage message(String id) {
    return new AgentMessage(id, 0, AgentMessage.BROADCAST, "coo", null, "t", null, null, "body " + id, null, null,
        AgentMessage.LOCAL, null);
  }

  Future<AgentMessage> publish(String id) {
    return publishers.submit(() -> writer.write(message(id)));
  }

  /** Polls (no sleeping for a guessed time) until {@code n} messages wait behind the blocked commit. */
  void awaitQueued(int n) {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (writer.queued() < n) {
      assertTrue(System.nanoTime() < until, "only " + writer.queued() + " of " + n + " messages were queued");
      Thread.onSpinWait();
    }
  }

  @Test
  void messagesQueuedDuringACommitShareTheNextOneAndKeepTheirOrder() throws Exception {
    writer(100, 100, Duration.ofSeconds(10));
    gate = new CountDownLatch(1);
    Future<AgentMessage> first = publish("m0");
    awaitStoring();
    var later = new ArrayList<Future<AgentMessage>>();
    for (int i = 1; i <= 5; i++) {
      later.add(publish("m" + i));
      awaitQueued(i); // one at a time, so the queue order is known
    }

    gate.countDown();

    assertEquals(1, first.get(10, TimeUnit.SECONDS).seq());
    for (int i = 0; i < 5; i++) {
      AgentMessage m = later.get(i).get(10, TimeUnit.SECONDS);
      assertEquals("m" + (i + 1), m.id());
      assertEquals(i + 2, m.seq());
    }
    assertEquals(List.of(1, 5), batches, "one commit for the first, one for the five queued behind it");
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), delivered.stream().map(AgentMessage::seq).toList());
  }

  @Test
  void aLonePublisherStoresAndDeliversOnItsOwnThreadWithoutAHandOff() throws Exception {
    var threads = new CopyOnWriteArrayList<Thread>();
    writer = new BusWriter(store, m -> threads.add(Thread.currentThread()), 100, 100, Duration.ofSeconds(10));
    var publisher = new CompletableFuture<Thread>();

    AgentMessage m = publishers.submit(() -> {
      publisher.complete(Thread.currentThread());
      return writer.write(message("alone"));
    }).get(10, TimeUnit.SECONDS);

    assertEquals(1, m.seq());
    assertEquals(List.of(publisher.get()), threads);
  }

  @Test
  void aBatchIsBoundedByItsSize() throws Exception {
    writer(100, 2, Duration.ofSeconds(10));
    gate = new CountDownLatch(1);
    Future<AgentMessage> first = publish("m0");
    awaitStoring();
    var later = new ArrayList<Future<AgentMessage>>();
    for (int i = 1; i <= 5; i++) {
      later.add(publish("m" + i));
      awaitQueued(i);
    }
    gate.countDown();
    first.get(10, TimeUnit.SECONDS);
    for (Future<AgentMessage> f : later) {
      f.get(10, TimeUnit.SECONDS);
    }
    assertEquals(List.of(1, 2, 2, 1), batches);
  }

  /**
   * 8 publishers × 200 messages: each is stored and delivered once, seqs are 1..1600 without gaps in delivery order,
   * each publisher gets back what was delivered, and each publisher's messages keep its order.
   */
  @Test
  void concurrentPublishersGetGaplessSeqsInDeliveryOrder() throws Exception {
    writer(4096, 256, Duration.ofSeconds(10));
    int threads = 8;
    int each = 200;
    var start = new CountDownLatch(1);
    var results = new ArrayList<Future<List<AgentMessage>>>();
    for (int t = 0; t < threads; t++) {
      String p = "p" + t;
      results.add(publishers.submit(() -> {
        start.await();
        var mine = new ArrayList<AgentMessage>();
        for (int i = 0; i < each; i++) {
          mine.add(writer.write(message(p + "-" + i)));
        }
        return mine;
      }));
    }
    start.countDown();
    var returned = new ArrayList<AgentMessage>();
    for (var f : results) {
      List<AgentMessage> mine = f.get(60, TimeUnit.SECONDS);
      for (int i = 1; i < mine.size(); i++) {
        assertTrue(mine.get(i).seq() > mine.get(i - 1).seq(), "a publisher's messages keep its order");
      }
      returned.addAll(mine);
    }
    assertEquals(LongStream.rangeClosed(1, threads * each).boxed().toList(),
        delivered.stream().map(AgentMessage::seq).toList());
    assertEquals(threads * each, returned.size());
    assertTrue(delivered.containsAll(returned), "each publisher got the message as delivered");
    assertEquals(threads * each, batches.stream().mapToInt(Integer::intValue).sum(), "no message stored twice");
  }

  @Test
  void aRefusedBatchIsStoredOneByOneSoOnlyTheMessageAtFaultFails() throws Exception {
    writer(100, 100, Duration.ofSeconds(10));
    refuse = m -> m.id().equals("bad");
    gate = new CountDownLatch(1);
    Future<AgentMessage> first = publish("m0");
    awaitStoring();
    Future<AgentMessage> good1 = publish("good1");
    awaitQueued(1);
    Future<AgentMessage> bad = publish("bad");
    awaitQueued(2);
    Future<AgentMessage> good2 = publish("good2");
    awaitQueued(3);

    gate.countDown();

    assertEquals(1, first.get(10, TimeUnit.SECONDS).seq());
    assertEquals(2, good1.get(10, TimeUnit.SECONDS).seq());
    assertEquals(3, good2.get(10, TimeUnit.SECONDS).seq(), "no gap where the refused message would have been");
    var e = assertThrows(ExecutionException.class, () -> bad.get(10, TimeUnit.SECONDS));
    assertEquals(OtterbotException.Kind.CONFLICT, ((OtterbotException) e.getCause()).kind(), "the store's own error");
    assertEquals(List.of("m0", "good1", "good2"), delivered.stream().map(AgentMessage::id).toList());
    assertEquals(List.of("m0", "good1", "good2"), stored.stream().map(AgentMessage::id).toList(), "stored once each");
  }

  @Test
  void whenTheDatabaseFailsEveryPublisherOfTheBatchGetsTheErrorAndNothingIsDelivered() throws Exception {
    writer(100, 100, Duration.ofSeconds(10));
    gate = new CountDownLatch(1);
    Future<AgentMessage> first = publish("m0");
    awaitStoring();
    refuse = m -> !m.id().equals("m0");
    var later = List.of(publish("a"), publish("b"), publish("c"));
    awaitQueued(3);

    gate.countDown();

    assertEquals(1, first.get(10, TimeUnit.SECONDS).seq());
    for (Future<AgentMessage> f : later) {
      var e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
      assertTrue(e.getCause() instanceof OtterbotException, String.valueOf(e.getCause()));
    }
    assertEquals(List.of("m0"), delivered.stream().map(AgentMessage::id).toList());
  }

  @Test
  void aFullQueueRefusesAtOnceWithoutWaitingRoomAndTheQueuedOnesAreStillStored() throws Exception {
    writer(2, 100, Duration.ZERO);
    gate = new CountDownLatch(1);
    Future<AgentMessage> first = publish("m0");
    awaitStoring();
    Future<AgentMessage> a = publish("a");
    awaitQueued(1); // one at a time, so the queue order is known
    var queued = List.of(a, publish("b"));
    awaitQueued(2);

    var e = assertThrows(OtterbotException.class, () -> writer.write(message("c")));

    assertEquals(OtterbotException.Kind.UNAVAILABLE, e.kind());
    assertTrue(e.getMessage().contains("overloaded"), e.getMessage());
    gate.countDown();
    first.get(10, TimeUnit.SECONDS);
    for (Future<AgentMessage> f : queued) {
      f.get(10, TimeUnit.SECONDS);
    }
    assertEquals(List.of("m0", "a", "b"), stored.stream().map(AgentMessage::id).toList(), "c was not stored");
  }

  @Test
  void aFullQueueMakesThePublisherWaitForRoom() throws Exception {
    writer(1, 100, Duration.ofSeconds(30));
    gate = new CountDownLatch(1);
    Future<AgentMessage> first = publish("m0");
    awaitStoring();
    Future<AgentMessage> a = publish("a");
    awaitQueued(1);
    var waiting = new CompletableFuture<Thread>();
    Future<AgentMessage> b = publishers.submit(() -> {
      waiting.complete(Thread.currentThread());
      return writer.write(message("b"));
    });
    Thread blocked = waiting.get(10, TimeUnit.SECONDS);
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (blocked.getState() != Thread.State.TIMED_WAITING) {
      assertTrue(System.nanoTime() < until, "the publisher did not wait for room: " + blocked.getState());
      Thread.onSpinWait();
    }
    assertEquals(1, writer.queued(), "b waits outside the full queue");

    gate.countDown();

    first.get(10, TimeUnit.SECONDS);
    assertEquals(2, a.get(10, TimeUnit.SECONDS).seq());
    assertEquals(3, b.get(10, TimeUnit.SECONDS).seq());
  }

  @Test
  void closingStoresWhatIsQueuedAndRefusesWhatComesAfter() throws Exception {
    writer(100, 100, Duration.ofSeconds(10));
    gate = new CountDownLatch(1);
    Future<AgentMessage> first = publish("m0");
    awaitStoring();
    Future<AgentMessage> a = publish("a");
    awaitQueued(1);
    var closed = CompletableFuture.runAsync(() -> writer.close(Duration.ofSeconds(10)));

    gate.countDown();
    closed.get(10, TimeUnit.SECONDS);

    first.get(10, TimeUnit.SECONDS);
    assertEquals(2, a.get(10, TimeUnit.SECONDS).seq());
    var e = assertThrows(OtterbotException.class, () -> writer.write(message("late")));
    assertEquals(OtterbotException.Kind.UNAVAILABLE, e.kind());
  }

  @Test
  void aDeliveryThatPublishesDoesNotWaitForItself() throws Exception {
    writer = new BusWriter(store, m -> {
      delivered.add(m);
      if (m.id().equals("question")) {
        writer.write(message("answer"));
      }
    }, 100, 100, Duration.ofSeconds(10));

    AgentMessage q = publishers.submit(() -> writer.write(message("question"))).get(10, TimeUnit.SECONDS);

    assertEquals(1, q.seq());
    assertEquals(List.of("question", "answer"), delivered.stream().map(AgentMessage::id).toList());
  }

  /** Waits until the first message is inside the (gated) store, stored by its publisher on its own thread. */
  private void awaitStoring() throws InterruptedException {
    assertTrue(storing.await(20, TimeUnit.SECONDS), "the writer never reached the store");
  }
}
