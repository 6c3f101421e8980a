package otterbot.core.internal.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import otterbot.api.OtterbotException;
import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.AgentRegistry;
import otterbot.api.agent.ModelRef;
import otterbot.api.chat.ChatListener;
import otterbot.api.chat.ChatService;
import otterbot.api.chat.ChatTurn;
import otterbot.api.chat.Conversation;
import otterbot.api.chat.StreamChunk;
import otterbot.api.orchestration.AgentMessage;
import otterbot.api.orchestration.BusTransport;
import otterbot.api.persistence.BusStore;
import otterbot.core.internal.MapAgents;

/** The bus against an in-memory store and agents whose "turns" are scripted functions. */
class MessageBusImplTest {
  final List<AgentMessage> stored = new ArrayList<>();
  final List<AgentMessage> sent = new CopyOnWriteArrayList<>();
  /** agent id → (bus, request text) → the turn's reply text. */
  volatile BiFunction<String, String, String> turns = (agent, text) -> agent + " did: " + text;
  MessageBusImpl bus;

  @BeforeEach
  void setUp() {
    BusStore store = new BusStore() {
      @Override
      public synchronized AgentMessage append(AgentMessage m) {
        AgentMessage s = new AgentMessage(m.id(), stored.size() + 1, m.kind(), m.from(), m.to(), m.threadId(),
            m.correlationId(), m.rootSpawnId(), m.body(), m.payload(), m.status(), m.transport(), m.createdAt());
        stored.add(s);
        return s;
      }

      @Override
      public synchronized List<AgentMessage> appendAll(List<AgentMessage> messages) {
        return messages.stream().map(this::append).toList();
      }

      @Override
      public synchronized List<AgentMessage> last(int limit) {
        return List.copyOf(stored.subList(Math.max(0, stored.size() - limit), stored.size()));
      }
    };
    bus = new MessageBusImpl(store, chat(), registry(List.of("coo", "a", "b")), java.time.Clock.systemUTC());
    bus.transports = List.of(new BusTransport() {
      @Override
      public String id() {
        return "test";
      }

      @Override
      public void send(AgentMessage message) {
        sent.add(message);
      }
    });
  }

  @AfterEach
  void tearDown() {
    bus.deactivate();
  }

  @Test
  void publishStoresThenSendsInSeqOrderAndHistoryIsOldestFirst() {
    for (int i = 1; i <= 5; i++) {
      bus.publish(AgentMessage.draft(AgentMessage.BROADCAST, "coo", null, "t" + i, null, null, "n" + i));
    }
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), sent.stream().map(AgentMessage::seq).toList());
    assertEquals(List.of("n4", "n5"), bus.history(2).stream().map(AgentMessage::body).toList());
    assertEquals(List.of(), bus.history(0));
    assertTrue(sent.get(0).id() != null && sent.get(0).createdAt() != null && "local".equals(sent.get(0).transport()));
    assertThrows(OtterbotException.class, () -> bus.publish(AgentMessage.draft("gossip", "coo", null, "t", null, null, "x")));
    assertThrows(OtterbotException.class, () -> bus.history(-1));
  }

  @Test
  void aRequestIsAnsweredByTheAddresseesTurnWithACorrelatedResponse() throws Exception {
    AgentMessage response = bus.request(AgentMessage.draft(AgentMessage.REQUEST, "coo", "a", "thread-1", null, null,
        "count otters"), Duration.ofSeconds(10));
    assertEquals("a did: count otters", response.body());
    AgentMessage request = sent.get(0);
    assertEquals(AgentMessage.REQUEST, request.kind());
    assertEquals(request.id(), response.correlationId());
    assertEquals("thread-1", response.threadId());
    assertEquals("coo", response.to());
  }

  @Test
  void anUnknownAddresseeIsAnsweredWithAnError() throws Exception {
    AgentMessage response = bus.request(AgentMessage.draft(AgentMessage.REQUEST, "coo", "nobody", "t", null, null,
        "hi"), Duration.ofSeconds(10));
    assertEquals("Error: Unknown agent: nobody", response.body());
  }

  @Test
  void aRequestThatIsNotAnsweredInTimeFailsClearly() {
    turns = (agent, text) -> {
      sleep(3_000);
      return "late";
    };
    var e = assertThrows(OtterbotException.class, () -> bus.request(AgentMessage.draft(AgentMessage.REQUEST, "coo",
        "a", "t", null, null, "hi"), Duration.ofMillis(200)));
    assertEquals("request to a timed out", e.getMessage());
  }

  @Test
  void aRequestThatWouldCloseACycleIsRefusedInsteadOfHanging() throws Exception {
    // b, asked by a, asks a back: a is waiting for b, so that can only end in a timeout. It is refused at once.
    turns = (agent, text) -> {
      if (agent.equals("b")) {
        try {
          bus.request(AgentMessage.draft(AgentMessage.REQUEST, "b", "a", "t2", null, null, "and you?"),
              Duration.ofSeconds(30));
          return "no cycle?";
        } catch (OtterbotException e) {
          return "refused: " + e.getMessage();
        } catch (InterruptedException e) {
          return "interrupted";
        }
      }
      return agent + " did: " + text;
    };
    AgentMessage response = bus.request(AgentMessage.draft(AgentMessage.REQUEST, "a", "b", "t1", null, null, "help"),
        Duration.ofSeconds(30));
    assertTrue(response.body().startsWith("refused: delegation cycle: b -> a -> b"), response.body());
  }

  @Test
  void requestsToOneAgentRunOneAtATime() throws Exception {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    turns = (agent, text) -> {
      most.accumulateAndGet(running.incrementAndGet(), Math::max);
      sleep(100);
      running.decrementAndGet();
      return "ok";
    };
    List<Thread> threads = new ArrayList<>();
    List<String> answers = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 4; i++) {
      String from = "sender" + i;
      Thread t = new Thread(() -> {
        try {
          answers.add(bus.request(AgentMessage.draft(AgentMessage.REQUEST, from, "a", "t" + from, null, null, "go"),
              Duration.ofSeconds(30)).body());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertEquals(List.of("ok", "ok", "ok", "ok"), answers);
    assertEquals(1, most.get());
  }

  @Test
  void aRequestWhoseRequesterTimedOutIsDroppedFromTheQueueNotRunLater() throws Exception {
    List<String> ran = new CopyOnWriteArrayList<>();
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    turns = (agent, text) -> {
      ran.add(text);
      if (text.equals("first")) {
        try {
          release.await(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return "ok " + text;
    };
    Thread first = new Thread(() -> {
      try {
        bus.request(AgentMessage.draft(AgentMessage.REQUEST, "coo", "a", "t1", null, null, "first"),
            Duration.ofSeconds(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    first.start();
    while (!ran.contains("first")) {
      Thread.sleep(10);
    }
    // a is busy: this one waits in a's queue until its requester gives up.
    assertThrows(OtterbotException.class, () -> bus.request(AgentMessage.draft(AgentMessage.REQUEST, "b", "a", "t2",
        null, null, "second"), Duration.ofMillis(200)));
    release.countDown();
    first.join();
    AgentMessage third = bus.request(AgentMessage.draft(AgentMessage.REQUEST, "coo", "a", "t3", null, null, "third"),
        Duration.ofSeconds(30));
    assertEquals("ok third", third.body());
    assertEquals(List.of("first", "third"), ran, "the abandoned request never ran");
  }

  @Test
  void anAnsweringTurnIsCancelledWhenItsRequesterStopsWaitingSoTheQueueMovesOn() throws Exception {
    turns = (agent, text) -> {
      if (text.equals("forever")) {
        sleep(60_000); // returns early when the turn is cancelled (interrupted)
      }
      return "ok " + text;
    };
    var e = assertThrows(OtterbotException.class, () -> bus.request(AgentMessage.draft(AgentMessage.REQUEST, "coo",
        "a", "t1", null, null, "forever"), Duration.ofMillis(300)));
    assertEquals("request to a timed out", e.getMessage(), "the requester's own timeout comes first");
    AgentMessage next = bus.request(AgentMessage.draft(AgentMessage.REQUEST, "coo", "a", "t2", null, null, "next"),
        Duration.ofSeconds(20));
    assertEquals("ok next", next.body());
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  ChatService chat() {
    return new ChatService() {
      @Override
      public Conversation join(String agentId, String conversationId) {
        return new Conversation(agentId, conversationId, false);
      }

      @Override
      public ChatTurn send(String agentId, String conversationId, String text, ChatListener listener) {
        Thread t = new Thread(() -> {
          listener.chunk(StreamChunk.token(turns.apply(agentId, text)));
          listener.done();
        });
        t.start();
        return t::interrupt;
      }

      @Override
      public void close(String agentId, String conversationId, String reason) {}
    };
  }

  static AgentRegistry registry(List<String> ids) {
    var agents = new MapAgents();
    ids.forEach(id -> agents.profiles.put(id, MapAgents.profile(id, "agent", new ModelRef("builtin", "offline"))));
    return agents;
  }
}
