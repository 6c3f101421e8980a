package otterbot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The attacks of issue 8 against the exported jar, each refused: a web page on another origin opening Socket.IO
 * (websocket and polling), a cross-site POST without a content type, DNS rebinding (a foreign {@code Host}), and a
 * server bound off loopback that anybody on the network could use. Every request goes to 127.0.0.1, also when the
 * server binds 0.0.0.0: nothing here contacts another address.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SecurityIT {
  static final String EVIL = "https://evil.example";
  static final String TOKEN_HEADER_MESSAGE = "missing or invalid API token (send Authorization: Bearer <token>)";
  static final String SOCKET_REFUSED = "invalid or missing API token";

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path tmp;

  /** Bound to loopback with the defaults: no token. */
  static ServerProcess loopback;
  /** Bound to 0.0.0.0: a token is generated into its home. */
  static ServerProcess open;

  @BeforeAll
  static void start() {
    loopback = ServerProcess.start(tmp.resolve("loopback"));
    open = ServerProcess.start(tmp.resolve("open"), List.of("--host", "0.0.0.0"), Map.of());
  }

  @AfterAll
  static void stop() {
    if (loopback != null) {
      loopback.close();
    }
    if (open != null) {
      open.close();
    }
  }

  private static String websocketUpgrade(ServerProcess server, String extraHeaders) {
    return "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\n"
        + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        + "Sec-WebSocket-Version: 13\r\n" + extraHeaders;
  }

  private static String pollingHandshake(ServerProcess server, String extraHeaders) {
    return "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\n"
        + "Connection: close\r\n" + extraHeaders;
  }

  private static void assertJsonError(Http.Response response, int status) {
    assertEquals(status, response.status(), response::toString);
    assertEquals("application/json", response.mediaType(), response::toString);
    assertNotNull(response.json(), response::toString);
    assertTrue(response.json().path("error").isTextual(), response::toString);
  }

  // --- cross-site WebSocket hijacking ------------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {EVIL, "null", "http://evil.example:3001"})
  void aCrossOriginWebSocketOrPollingHandshakeIsRefused(String origin) {
    Http http = loopback.http();
    assertJsonError(http.exchange(websocketUpgrade(loopback, "Origin: " + origin + "\r\n"), ""), 403);
    assertJsonError(http.exchange(pollingHandshake(loopback, "Origin: " + origin + "\r\n"), ""), 403);
  }

  @Test
  void aSameOriginOrOriginlessHandshakeIsAccepted() {
    Http http = loopback.http();
    for (String origin : List.of("", "Origin: http://127.0.0.1:" + loopback.port() + "\r\n",
        "Origin: http://localhost:" + loopback.port() + "\r\n")) {
      var upgrade = http.exchange(websocketUpgrade(loopback, origin), "");
      assertEquals(101, upgrade.status(), upgrade::toString);
      var polling = http.exchange(pollingHandshake(loopback, origin), "");
      assertEquals(200, polling.status(), polling::toString);
      assertTrue(polling.body().startsWith("0{\"sid\":"), polling::toString);
    }
  }

  // --- CSRF with a body the browser sends without preflight -------------------------------------------------------

  @Test
  void aPostWithoutContentTypeIs415AndCreatesNothing() {
    Http http = loopback.http();
    String agents = http.get("/api/agents").body();
    assertJsonError(http.send("POST", "/api/agents", "{\"displayName\":\"Sneaky Otter\"}", null), 415);
    assertJsonError(http.send("POST", "/api/agents", "{\"displayName\":\"Sneaky Otter\"}", "text/plain"), 415);
    assertEquals(agents, http.get("/api/agents").body(), "no agent was created");
    assertFalse(agents.contains("sneaky"), agents);

    String settings = http.get("/api/settings/global").body();
    assertJsonError(http.send("POST", "/api/test-model",
        "{\"provider\":\"openai\",\"modelId\":\"x\",\"secrets\":{\"OPENAI_BASE_URL\":\"http://127.0.0.1:9/v1\"}}", null),
        415);
    assertJsonError(http.send("PUT", "/api/settings/global", "{\"theme\":\"light\"}", null), 415);
    assertJsonError(http.send("POST", "/api/setup-state/complete", null, null), 415);
    assertEquals(settings, http.get("/api/settings/global").body(), "the settings are unchanged");
    assertEquals(false, http.get("/api/setup-state").json().path("onboardingComplete").asBoolean(true));
  }

  @Test
  void aCrossOriginPostIsRefusedEvenAsJson() {
    Http http = loopback.http().withHeader("Origin", EVIL);
    assertJsonError(http.post("/api/agents", Map.of("displayName", "Sneaky Otter")), 403);
    assertFalse(loopback.http().get("/api/agents").body().contains("sneaky"));
  }

  // --- DNS rebinding ----------------------------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"evil.example:3001", "evil.example:PORT", "evil.example"})
  void aForeignHostIs421(String host) {
    String value = host.replace("PORT", Integer.toString(loopback.port()));
    assertJsonError(loopback.http().exchange("GET /api/agents HTTP/1.1\r\nHost: " + value + "\r\n"
        + "Connection: close\r\n", ""), 421);
    assertJsonError(loopback.http().exchange("GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: " + value
        + "\r\nConnection: close\r\n", ""), 421);
  }

  /**
   * The server's other listening ports (the internal Jetty's, on loopback) are as reachable from a rebound page as the
   * public one, but have none of its checks: they must refuse whatever did not come through the public port, here a
   * rebound page's request with its foreign {@code Host} and a forged front header.
   */
  @Test
  void theServersOtherPortsRefuseARequestThatDidNotComeThroughThePublicPort() throws Exception {
    List<Integer> others = listeningPorts(loopback.pid()).stream().filter(p -> p != loopback.port()).toList();
    System.out.printf("[e2e] server pid %d listens on %d and %s%n", loopback.pid(), loopback.port(), others);
    assertFalse(others.isEmpty(), "the internal Jetty's port is found (if it is gone, this test has done its job)");
    for (int port : others) {
      Http direct = new Http(java.net.URI.create("http://127.0.0.1:" + port), () -> "");
      for (String head : List.of(
          "GET /api/agents HTTP/1.1\r\nHost: evil.example:" + port + "\r\nConnection: close\r\n",
          "GET /api/agents HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nX-Otterbot-Front: x\r\nConnection: close\r\n",
          "POST /api/agents HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: application/json\r\n"
              + "Content-Length: 25\r\nConnection: close\r\n")) {
        var answer = direct.exchange(head, head.startsWith("POST") ? "{\"displayName\":\"Rebound\"}" : "");
        assertJsonError(answer, 403);
        assertEquals("forbidden: use the public port", answer.json().path("error").asText(), answer::toString);
      }
    }
    assertFalse(loopback.http().get("/api/agents").body().contains("Rebound"), "nothing was created");
  }

  /** The TCP ports a process listens on, from /proc (Linux): its socket inodes matched against /proc/net/tcp{,6}. */
  static List<Integer> listeningPorts(long pid) throws java.io.IOException {
    var inodes = new java.util.HashSet<String>();
    try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      for (Path fd : (Iterable<Path>) fds::iterator) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            inodes.add(target.substring(8, target.length() - 1));
          }
        } catch (java.io.IOException e) {
          // closed meanwhile
        }
      }
    }
    var ports = new java.util.TreeSet<Integer>();
    for (String table : List.of("tcp", "tcp6")) {
      Path file = Path.of("/proc", Long.toString(pid), "net", table);
      if (!Files.exists(file)) {
        continue;
      }
      List<String> lines = Files.readAllLines(file);
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        // local_address is HEXIP:HEXPORT, st 0A is LISTEN, inode is the tenth column
        if (f.length > 9 && f[3].equals("0A") && inodes.contains(f[9])) {
          String local = f[1];
          ports.add(Integer.parseInt(local.substring(local.indexOf(':') + 1), 16));
        }
      }
    }
    return List.copyOf(ports);
  }

  // --- health says nothing about the installation -----------------------------------------------------------------

  @Test
  void healthNeverRevealsPathsUrlsOrPorts() {
    for (ServerProcess server : List.of(loopback, open)) {
      Http http = server == open ? server.http().withToken(token(open)) : server.http();
      var health = http.get("/api/health");
      assertEquals(200, health.status(), health::toString);
      assertTrue(health.json().has("subsystems"), "the full report: " + health);
      for (String secret : List.of(server.home().toString(), "/db", "jdbc:", "http://", ":" + server.port())) {
        assertFalse(health.body().contains(secret), "health shows " + secret + ": " + health.body());
      }
    }
  }

  // --- off loopback -----------------------------------------------------------------------------------------------

  private static String token(ServerProcess server) {
    try {
      return Files.readString(server.home().resolve("token")).strip();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void offLoopbackATokenIsGeneratedInto0600FileWhosePathIsLoggedButNeverTheToken() throws Exception {
    Path file = open.home().resolve("token");
    assertTrue(Files.isRegularFile(file));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    String token = token(open);
    assertTrue(token.length() >= 43, "32 random bytes, base64url");
    String log = open.logText();
    assertTrue(log.contains(file.toAbsolutePath().toString()), log);
    assertTrue(log.contains("reachable from the network"), log);
    assertFalse(log.contains(token), "the token is in the log");
  }

  @Test
  void offLoopbackRestNeedsTheToken() {
    String token = token(open);
    for (Http http : List.of(open.http(), open.http().withToken("wrong"), open.http().withToken(token + "x"),
        open.http().withHeader("X-Otterbot-Authorized", "true"))) {
      for (String path : List.of("/api/agents", "/api/settings/global", "/api/setup-state")) {
        var refused = http.get(path);
        assertJsonError(refused, 401);
        assertEquals(TOKEN_HEADER_MESSAGE, refused.json().path("error").asText());
        assertEquals("Bearer", refused.header("www-authenticate"));
      }
      assertJsonError(http.post("/api/setup-state/complete", Map.of()), 401);
      assertJsonError(http.post("/api/agents/coo/credentials", Map.of("OPENAI_API_KEY", "sk-stolen")), 401);
    }
    Http authorized = open.http().withToken(token);
    assertEquals(200, authorized.get("/api/agents").status());
    assertEquals(200, authorized.get("/api/settings/global").status());
  }

  @Test
  void offLoopbackHealthWithoutTheTokenShowsOnlyItsStatus() {
    var health = open.http().get("/api/health");
    assertEquals(200, health.status());
    assertEquals(Http.json("{\"status\":\"ok\"}"), health.json());
    var forged = open.http().withHeader("X-Otterbot-Authorized", "true").get("/api/health");
    assertEquals(Http.json("{\"status\":\"ok\"}"), forged.json(), "a client cannot vouch for itself");
  }

  @ParameterizedTest
  @ValueSource(strings = {"websocket", "polling"})
  void offLoopbackSocketIoWithoutTheTokenGetsConnectErrorAndNothingElse(String transport) {
    try (NodeChat none = NodeChat.attempt(open, transport, null);
        NodeChat wrong = NodeChat.attempt(open, transport, "wrong");
        NodeChat member = NodeChat.attempt(open, transport, token(open))) {
      assertEquals(SOCKET_REFUSED, none.socket(0).connectError, none::explain);
      assertEquals(SOCKET_REFUSED, wrong.socket(0).connectError, wrong::explain);
      assertNull(member.socket(0).connectError, member::explain);
      assertTrue(member.socket(0).connected, member::explain);

      // The member's turn broadcasts agent:status to every client; the refused ones must get none of it.
      ChatClient.Reply reply = member.socket(0).chat("coo", "hello from the LAN").withoutErrors();
      assertFalse(reply.text().isEmpty(), reply.toString());
      member.socket(0).statusesUntilIdle("coo", 0);
      assertEquals(List.of(), none.socket(0).events(), none::explain);
      assertEquals(List.of(), wrong.socket(0).events(), wrong::explain);
    }
  }

  /**
   * A hand-written client that ignores the refusal and sends {@code chat:message} anyway: the server must not run a
   * turn for it. Raw Engine.IO polling, since socket.io-client itself would hold the event back.
   */
  @Test
  void offLoopbackAChatMessageWithoutTheTokenIsNotAnswered() {
    Http http = open.http();
    String host = "Host: 127.0.0.1:" + open.port() + "\r\nConnection: close\r\n";
    var handshake = http.exchange("GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\n" + host, "");
    assertEquals(200, handshake.status(), handshake::toString);
    String sid = handshake.body().replaceAll("(?s).*\"sid\":\"([^\"]+)\".*", "$1");
    String session = "/socket.io/?EIO=4&transport=polling&sid=" + sid + " HTTP/1.1\r\n" + host;
    java.util.function.Consumer<String> post = payload -> {
      var answer = http.exchange("POST " + session + "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: "
          + payload.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + "\r\n", payload);
      assertEquals(200, answer.status(), answer::toString);
    };
    String refused = "44{\"message\":\"" + SOCKET_REFUSED + "\"}";

    post.accept("40");
    assertEquals(refused, http.exchange("GET " + session, "").body());
    post.accept("42[\"chat:join\",{\"agentId\":\"coo\"}]\u001e42[\"chat:message\",{\"agentId\":\"coo\",\"text\":\"hi\"}]");
    // A whole turn of a client with the token meanwhile: had the server taken the join and the message above, their
    // chat:joined, chat:stream and agent:status would be queued for the session by now, before the next refusal.
    try (NodeChat member = NodeChat.attempt(open, "websocket", token(open))) {
      member.socket(0).chat("coo", "meanwhile").withoutErrors();
    }
    post.accept("40{\"token\":\"wrong\"}");
    assertEquals(refused, http.exchange("GET " + session, "").body());
  }

  @Test
  void theEnvironmentTokenWinsOverTheFile() throws Exception {
    Path home = tmp.resolve("env");
    Files.createDirectories(home);
    Files.writeString(home.resolve("token"), "from-the-file\n");
    try (var server = ServerProcess.start(home, List.of("--host", "0.0.0.0"),
        Map.of("OTTERBOT_TOKEN", "from-the-environment"))) {
      assertJsonError(server.http().withToken("from-the-file").get("/api/agents"), 401);
      assertEquals(200, server.http().withToken("from-the-environment").get("/api/agents").status());
      assertFalse(server.logText().contains("from-the-environment"), "the token is in the log");
      assertTrue(server.logText().contains("OTTERBOT_TOKEN"), server.logText());
    }
  }

  @Test
  void onLoopbackRequireTokenMakesItRequired() throws Exception {
    Path home = tmp.resolve("required");
    Files.createDirectories(home.resolve("etc"));
    Files.writeString(home.resolve("etc").resolve("otterbot.server.cfg"), "requireToken=true\n");
    try (var server = ServerProcess.start(home)) {
      // FileInstall may apply the file a moment after the port opened with the defaults; the port then restarts.
      server.eventually("the configuration requires the token", java.time.Duration.ofSeconds(20),
          () -> {
            try {
              return server.http().get("/api/agents").status() == 401;
            } catch (RuntimeException restarting) {
              return false;
            }
          }, () -> "never 401");
      String token = token(server);
      assertJsonError(server.http().get("/api/agents"), 401);
      assertEquals(200, server.http().withToken(token).get("/api/agents").status());
      assertEquals(Http.json("{\"status\":\"ok\"}"), server.http().get("/api/health").json());
      try (NodeChat refused = NodeChat.attempt(server, "websocket", null)) {
        assertEquals(SOCKET_REFUSED, refused.socket(0).connectError, refused::explain);
      }
      try (NodeChat member = NodeChat.attempt(server, "websocket", token)) {
        assertTrue(member.socket(0).connected, member::explain);
      }
    }
  }
}
