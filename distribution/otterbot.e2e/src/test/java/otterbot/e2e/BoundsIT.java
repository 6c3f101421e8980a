package otterbot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static otterbot.e2e.ChatFixtures.chat;
import static otterbot.e2e.ChatFixtures.marker;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import otterbot.testsupport.FakeModelServer;
import otterbot.testsupport.Reply;

/**
 * The chat runtime's bounds as a user meets them, on the exported jar chatting through a {@link FakeModelServer}: a
 * flood of messages on one connection, a model that never finishes, a model that sends only SSE comments. Each is
 * answered with a clear error chunk and {@code chat:done} while the connection and other chats keep working.
 *
 * <p>One server, started with short limits in its {@code etc/} ({@code turnTimeoutSeconds=6} in
 * {@code otterbot.chat.cfg}, {@code maxTurnsPerSocket=2} in {@code otterbot.chat.socket.cfg}, {@code idleTimeoutSeconds=3} in {@code otterbot.provider.openaicompat.cfg}) so the tests are quick.
 */
class BoundsIT {
  static final int TURN_TIMEOUT_SECONDS = 6;
  static final int IDLE_TIMEOUT_SECONDS = 3;
  static final int TURNS_PER_SOCKET = 2;
  /** What the fake says to an ordinary message: a few tokens, slowly enough that turns overlap. */
  static final List<String> TOKENS = List.of("Otters ", "hold ", "hands.");

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path tmp;

  static ServerProcess server;
  static FakeModelServer fake;
  private final List<AutoCloseable> opened = new ArrayList<>();

  @BeforeAll
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  static void start() throws IOException {
    fake = FakeModelServer.start();
    fake.respond(chat(request -> {
      String text = request.lastUserText();
      if (text.contains("trickle")) {
        // Data every 500 ms, forever: never idle, never finished.
        return Reply.tokens(100_000, i -> "t" + i + " ").delayEachStep(Duration.ofMillis(500));
      }
      if (text.contains("comments")) {
        return Reply.text("first ", "never").stallAfter(1).commentsWhileStalled(Duration.ofMillis(200));
      }
      return Reply.text(TOKENS.toArray(String[]::new)).delayEachStep(Duration.ofMillis(30));
    }));
    Path home = tmp.resolve("home");
    ServerProcess.withConfig(home, "otterbot.chat", "turnTimeoutSeconds=" + TURN_TIMEOUT_SECONDS);
    ServerProcess.withConfig(home, "otterbot.chat.socket", "maxTurnsPerSocket=" + TURNS_PER_SOCKET);
    ServerProcess.withConfig(home, "otterbot.provider.openaicompat", "idleTimeoutSeconds=" + IDLE_TIMEOUT_SECONDS);
    server = ServerProcess.start(home);
    ChatFixtures.useFake(server, fake, null);
  }

  @AfterAll
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (fake != null) {
      fake.close();
    }
  }

  @AfterEach
  void closeClients() throws Exception {
    for (AutoCloseable c : opened) {
      c.close();
    }
  }

  NodeChat clients(int count) {
    NodeChat node = NodeChat.connect(server, "websocket", count);
    opened.add(node);
    return node;
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void twoHundredMessagesOnOneSocketAreEachAnsweredAndTheExcessRefusedWhileOtherChatsWork() {
    NodeChat node = clients(2);
    ChatClient flooding = node.socket(0);
    ChatClient other = node.socket(1);
    flooding.join("coo", null);
    other.join("coo", null);

    int from = flooding.eventCount();
    for (int i = 0; i < 200; i++) {
      flooding.send("coo", "flood " + i);
    }
    ChatClient.Reply meanwhile = other.chat("coo", "I am another chat").withoutErrors();
    assertEquals(String.join("", TOKENS), meanwhile.text(), meanwhile::explain);

    // Every message gets its chat:done: answered, or refused at once with one error chunk.
    int next = from;
    for (int n = 0; n < 200; n++) {
      next = flooding.awaitIndex("chat:done #" + (n + 1) + " of 200", next, ChatClient.TURN_TIMEOUT,
          e -> e.name().equals("chat:done")) + 1;
    }
    int refused = 0;
    List<ChatClient.Event> all = flooding.events().subList(from, next);
    for (ChatClient.Event e : all) {
      if (e.name().equals("chat:stream") && e.data().path("chunk").path("kind").asText().equals("error")) {
        String message = e.data().path("chunk").path("message").asText();
        assertTrue(message.contains("(at most " + TURNS_PER_SOCKET + ", maxTurnsPerSocket")
            || message.contains("maxQueuedEventsPerSocket") || message.contains("maxRunningTurns"),
            () -> "an unexpected error: " + message + "\n" + flooding.explain());
        refused++;
      }
    }
    int answered = 200 - refused;
    long tokens = all.stream().filter(e -> e.name().equals("chat:stream")
        && e.data().path("chunk").path("kind").asText().equals("token")).count();
    System.out.printf("[e2e] 200 messages on one socket: %d answered, %d refused at once%n", answered, refused);
    assertTrue(refused > 0, flooding::explain);
    // The first maxTurnsPerSocket messages always start turns; how many more are answered depends on how fast turns
    // end while the flood is handled (with memory in the prompt, a turn takes a few milliseconds more).
    assertTrue(answered >= TURNS_PER_SOCKET, () -> "at least the first turns run\n" + flooding.explain());
    assertEquals(answered * (long) TOKENS.size(), tokens, () -> "every answered turn streamed its whole reply\n"
        + flooding.explain());

    // The flooded connection and the other one both chat on normally.
    ChatClient.Reply after = flooding.chat("coo", "still there?").withoutErrors();
    assertEquals(String.join("", TOKENS), after.text(), after::explain);
    assertEquals(String.join("", TOKENS), other.chat("coo", "and you?").withoutErrors().text());
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aTurnWhoseModelNeverFinishesEndsAtTheTurnDeadlineWithAnError() throws Exception {
    NodeChat node = clients(2);
    ChatClient client = node.socket(0);
    int disconnects = fake.clientDisconnects();
    ChatClient.Reply reply = client.chat("coo", marker("trickle"));
    assertEquals(List.of("the turn took longer than " + TURN_TIMEOUT_SECONDS
        + " s (turnTimeoutSeconds in otterbot.chat.cfg) and was stopped"), reply.errors(), reply::explain);
    assertTrue(reply.tokens().size() >= 2, reply::explain);
    assertEquals("error", reply.chunks().get(reply.chunks().size() - 1).path("kind").asText(), reply::explain);
    assertTrue(fake.awaitClientDisconnects(disconnects + 1, Duration.ofSeconds(20)), "the model's stream was closed");
    // The same connection and another one go on.
    assertEquals(String.join("", TOKENS), client.chat("coo", "hello again").withoutErrors().text());
    assertEquals(String.join("", TOKENS), node.socket(1).chat("coo", "hello").withoutErrors().text());
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aModelThatSendsOnlySseCommentsHitsTheIdleTimeout() {
    NodeChat node = clients(1);
    ChatClient client = node.socket(0);
    ChatClient.Reply reply = client.chat("coo", marker("comments"));
    assertEquals(List.of("first "), reply.tokens(), reply::explain);
    assertEquals(1, reply.errors().size(), reply::explain);
    assertTrue(reply.errors().get(0).contains("sent nothing for " + IDLE_TIMEOUT_SECONDS + " s (idle timeout)"),
        reply::explain);
    assertEquals(String.join("", TOKENS), client.chat("coo", "hello again").withoutErrors().text());
  }
}
