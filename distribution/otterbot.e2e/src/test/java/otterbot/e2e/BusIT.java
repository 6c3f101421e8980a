package otterbot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static otterbot.e2e.BusFixtures.busEvents;
import static otterbot.e2e.BusFixtures.history;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The bus history endpoint ({@code GET /api/bus/messages}, upstream-behaviour §4.8) and the bus under concurrent chats,
 * on one fresh server with the built-in model: 20 sockets make the COO broadcast ({@code /tool broadcast}) 50 times
 * each, at the same time; the 1,000 messages come back with strictly increasing seq and no gaps, and every socket
 * sees every one of them live, in seq order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BusIT {
  static final int SOCKETS = 20;
  static final int PER_SOCKET = 50;

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path tmp;

  private static ServerProcess server;

  @BeforeAll
  static void start() {
    server = ServerProcess.start(tmp.resolve("bus"));
  }

  @AfterAll
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  @Order(1)
  void aFreshServerHasAnEmptyHistory() {
    assertEquals(List.of(), history(server, 200));
    Http.Response r = server.http().get("/api/bus/messages");
    assertEquals(Http.json("[]"), server.http().expect(r, 200), () -> server.explain(r));
  }

  @Test
  @Order(2)
  void aBadLimitIsA400() {
    for (String limit : List.of("abc", "-1", "1.5", "", "99999999999999999999", "%20")) {
      Http.Response r = server.http().get("/api/bus/messages?limit=" + limit);
      if (limit.equals("99999999999999999999") && r.status() == 200) {
        continue; // a huge number may be capped rather than refused
      }
      if (limit.isEmpty() && r.status() == 200) {
        continue; // an empty limit may mean the default
      }
      JsonNode error = server.http().expect(r, 400);
      assertTrue(error.path("error").isTextual() && !error.path("error").asText().isBlank(),
          () -> "limit=" + limit + "\n" + server.explain(r));
    }
  }

  /** 1,000 broadcasts from 20 concurrent chats: no gap, no duplicate, seq strictly increasing; the limits hold. */
  @Test
  @Order(3)
  @Timeout(value = 600, unit = TimeUnit.SECONDS)
  void aThousandMessagesFromConcurrentChatsKeepSeqStrictlyIncreasingWithoutGaps() throws Exception {
    try (NodeChat node = NodeChat.connect(server, "websocket", SOCKETS)) {
      List<NodeChat.Socket> sockets = node.sockets();
      for (NodeChat.Socket s : sockets) {
        s.join("coo", null);
      }
      int[] from = new int[SOCKETS];
      Set<String> expected = new HashSet<>();
      // Each socket sends its messages one after the other; the 20 sockets run at the same time.
      for (int round = 0; round < PER_SOCKET; round++) {
        for (int i = 0; i < SOCKETS; i++) {
          String body = "s" + i + "-m" + round;
          expected.add(body);
          if (round > 0) {
            sockets.get(i).awaitDone("coo", from[i]).withoutErrors();
          }
          from[i] = sockets.get(i).send("coo", "/tool broadcast {\"message\":\"" + body + "\"}");
        }
      }
      for (int i = 0; i < SOCKETS; i++) {
        ChatClient.Reply last = sockets.get(i).awaitDone("coo", from[i]).withoutErrors();
        assertTrue(last.text().contains("Tool broadcast returned: "), last::explain);
      }

      List<JsonNode> all = history(server, 1000);
      assertEquals(SOCKETS * PER_SOCKET, all.size(), "the history holds the broadcasts and nothing else");
      long first = all.get(0).path("seq").asLong();
      for (int i = 0; i < all.size(); i++) {
        int at = i;
        assertEquals(first + i, all.get(i).path("seq").asLong(),
            () -> "seq without gaps, oldest first: at " + at + " " + all.get(at));
      }
      Set<String> bodies = new HashSet<>();
      for (JsonNode m : all) {
        assertEquals("broadcast", m.path("kind").asText(), m::toString);
        assertEquals("coo", m.path("from").asText(), m::toString);
        assertTrue(m.path("to").isNull(), m::toString);
        assertTrue(bodies.add(m.path("body").asText()), () -> "a duplicate: " + m);
      }
      assertEquals(expected, bodies);

      // Every socket saw every message live, in seq order.
      for (NodeChat.Socket s : sockets) {
        List<JsonNode> seen = busEvents(s, 0);
        List<Long> seqs = new ArrayList<>();
        seen.forEach(m -> seqs.add(m.path("seq").asLong()));
        BusFixtures.assertIncreasingSeq(seen, s.label());
        assertEquals(SOCKETS * PER_SOCKET, seen.size(), () -> s.label() + " saw " + seen.size() + " messages");
        assertEquals(all, seen, () -> s.label() + " saw other messages than the history holds");
      }

      // The limits: the newest N, oldest first; 0 is empty; a huge limit is capped at 1,000.
      List<JsonNode> newest = history(server, 10);
      assertEquals(all.subList(all.size() - 10, all.size()), newest);
      assertEquals(List.of(), history(server, 0));
      assertEquals(200, history(server, 200).size());
      Http.Response deflt = server.http().get("/api/bus/messages");
      assertEquals(200, server.http().expect(deflt, 200).size(), "the default limit is 200");
    }

    // One more message: the cap keeps the newest 1,000.
    try (NodeChat node = NodeChat.connect(server, "websocket", 1)) {
      node.socket(0).chat("coo", "/tool broadcast {\"message\":\"one more\"}").withoutErrors();
    }
    List<JsonNode> capped = history(server, 5000);
    assertEquals(1000, capped.size(), "a huge limit is capped at 1,000");
    assertEquals("one more", capped.get(capped.size() - 1).path("body").asText());
    BusFixtures.assertIncreasingSeq(capped, "capped history");
    assertEquals(capped.get(0).path("seq").asLong() + 999, capped.get(999).path("seq").asLong(), "no gaps");
  }
}
