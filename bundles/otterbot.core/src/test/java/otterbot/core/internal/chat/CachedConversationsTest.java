package otterbot.core.internal.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import otterbot.api.OtterbotException;
import otterbot.api.persistence.ConversationStore;
import otterbot.api.persistence.StoredMessage;

class CachedConversationsTest {
  /** A store that counts its reads and can be told to fail the next append. */
  static final class CountingStore implements ConversationStore {
    final Map<String, List<StoredMessage>> rows = new HashMap<>();
    final Map<String, String> owners = new HashMap<>();
    final AtomicInteger reads = new AtomicInteger();
    final AtomicInteger ownerReads = new AtomicInteger();
    volatile boolean failNext;

    @Override
    public synchronized Optional<String> owner(String conversationId) {
      ownerReads.incrementAndGet();
      return Optional.ofNullable(owners.get(conversationId));
    }

    @Override
    public synchronized void append(String agentId, StoredMessage message) {
      String owner = owners.putIfAbsent(message.conversationId(), agentId);
      if (owner != null && !owner.equals(agentId)) {
        throw OtterbotException.conflict("belongs to another agent");
      }
      rows.computeIfAbsent(message.conversationId(), k -> new ArrayList<>()).add(message);
      if (failNext) {
        failNext = false; // committed, but the caller hears a failure: the outcome is unknown to it
        throw new IllegalStateException("connection lost during commit");
      }
    }

    @Override
    public synchronized List<StoredMessage> messages(String conversationId) {
      reads.incrementAndGet();
      return List.copyOf(rows.getOrDefault(conversationId, List.of()));
    }

    @Override
    public synchronized int deleteAll(String agentId) {
      int n = 0;
      for (var it = owners.entrySet().iterator(); it.hasNext(); ) {
        var e = it.next();
        if (e.getValue().equals(agentId)) {
          rows.remove(e.getKey());
          it.remove();
          n++;
        }
      }
      return n;
    }
  }

  final CountingStore store = new CountingStore();
  final CachedConversations cached = new CachedConversations(store);
  int n;

  StoredMessage message(String conversation, String content) {
    return new StoredMessage("m" + (++n), conversation, "user", content, Instant.EPOCH);
  }

  static List<String> contents(List<StoredMessage> messages) {
    return messages.stream().map(StoredMessage::content).toList();
  }

  @Test
  void aConversationIsReadFromTheStoreOnceAndThenFollowsItsAppends() {
    cached.append("coo", message("c1", "hello"));
    assertEquals(List.of("hello"), contents(cached.history("coo", "c1")));
    cached.append("coo", message("c1", "hi there"));
    cached.append("coo", message("c1", "how are you"));
    assertEquals(List.of("hello", "hi there", "how are you"), contents(cached.history("coo", "c1")));
    assertEquals(1, store.reads.get(), "one read, then the appends kept it");
    assertEquals(contents(store.messages("c1")), contents(cached.history("coo", "c1")), "what the store holds");
  }

  @Test
  void anAppendThatFailedDropsTheConversationSoItIsReadAgain() {
    cached.append("coo", message("c1", "one"));
    cached.history("coo", "c1");
    store.failNext = true;
    assertThrows(IllegalStateException.class, () -> cached.append("coo", message("c1", "two")));
    assertEquals(List.of("one", "two"), contents(cached.history("coo", "c1")), "read again: it was committed");
    assertEquals(2, store.reads.get());
    assertThrows(OtterbotException.class, () -> cached.append("other", message("c1", "not yours")));
    assertEquals(List.of("one", "two"), contents(cached.history("coo", "c1")));
  }

  @Test
  void aDeletedAgentsConversationsAreForgotten() {
    cached.append("a1", message("c1", "remember the milk"));
    cached.history("a1", "c1");
    store.deleteAll("a1"); // as the agent registry does, past this object
    cached.forget("a1");
    cached.append("a1", message("c1", "a new agent with the old id"));
    assertEquals(List.of("a new agent with the old id"), contents(cached.history("a1", "c1")));
  }

  @Test
  void aLongConversationIsNotHeldAndTheNumberOfConversationsIsBounded() {
    String big = "x".repeat((int) CachedConversations.MAX_CHARS);
    cached.append("coo", message("long", big));
    cached.history("coo", "long");
    cached.append("coo", message("long", "one more"));
    assertEquals(2, cached.history("coo", "long").size());
    cached.history("coo", "long");
    assertEquals(3, store.reads.get(), "read again each time once it outgrew the bound");
    for (int i = 0; i < CachedConversations.MAX_CONVERSATIONS + 10; i++) {
      cached.append("coo", message("c" + i, "hi"));
      cached.history("coo", "c" + i);
    }
    assertEquals(CachedConversations.MAX_CONVERSATIONS, cached.size());
  }

  @Test
  void aNewConversationIsHeldEmptyFromItsJoinSoItsFirstTurnReadsNothing() {
    assertEquals(Optional.empty(), cached.join("coo", "new"), "the store has no such conversation");
    assertEquals(Optional.of(List.of()), cached.held("coo", "new"), "held, empty, before anything is stored");
    assertEquals(Optional.empty(), cached.held("other", "new"), "only for the agent that joined it");
    cached.append("coo", message("new", "hello"));
    assertEquals(List.of("hello"), contents(cached.history("coo", "new")));
    assertEquals(0, store.reads.get(), "no history read back");
    assertEquals(Optional.of("coo"), cached.join("coo", "new"));
    assertEquals(1, store.ownerReads.get(), "a conversation with messages held is not looked up again");
    assertEquals(Optional.of("coo"), cached.join("other", "new"), "the owner, for another agent too");
  }

  @Test
  void aJoinFindsAStoredConversationAndHoldsNothingForIt() {
    store.append("a1", message("old", "stored before this object knew it"));
    assertEquals(Optional.of("a1"), cached.join("coo", "old"));
    assertEquals(Optional.empty(), cached.held("coo", "old"));
    assertEquals(Optional.empty(), cached.held("a1", "old"), "not held until read");
    assertEquals(List.of("stored before this object knew it"), contents(cached.history("a1", "old")));
  }

  @Test
  void twoAgentsJoiningOneNewIdGetWhatTheStoreDecides() {
    cached.join("a1", "shared");
    cached.join("a2", "shared");
    assertEquals(Optional.empty(), cached.held("a1", "shared"), "the later join replaced the first");
    assertEquals(Optional.of(List.of()), cached.held("a2", "shared"));
    cached.append("a1", message("shared", "first to commit"));
    assertEquals(Optional.empty(), cached.held("a2", "shared"), "no longer a2's empty conversation");
    assertThrows(OtterbotException.class, () -> cached.append("a2", message("shared", "too late")));
    assertEquals(Optional.empty(), cached.held("a2", "shared"));
    assertEquals(List.of("first to commit"), contents(cached.history("a1", "shared")));
    assertEquals(Optional.of("a1"), cached.join("a2", "shared"));
  }

  @Test
  void concurrentAppendsToOneConversationAreHeldInTheStoresOrder() throws Exception {
    cached.append("coo", message("c1", "start"));
    cached.history("coo", "c1");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> calls = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        calls.add(pool.submit(() -> {
          for (int i = 0; i < 200; i++) {
            cached.append("coo", new StoredMessage(thread + "-" + i, "c1", "user", thread + "-" + i, Instant.EPOCH));
            if (i % 50 == 0) {
              cached.history("coo", "c1");
            }
          }
          return null;
        }));
      }
      for (Future<?> call : calls) {
        call.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(contents(store.messages("c1")), contents(cached.history("coo", "c1")));
    assertEquals(801, cached.history("coo", "c1").size());
  }
}
