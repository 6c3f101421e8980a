package otterbot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static otterbot.e2e.ChatFixtures.COMPAT;
import static otterbot.e2e.ChatFixtures.chat;
import static otterbot.e2e.ChatFixtures.marker;
import static otterbot.e2e.ChatFixtures.requestsWith;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import otterbot.testsupport.FakeModelServer;
import otterbot.testsupport.RecordedRequest;
import otterbot.testsupport.Reply;

/**
 * Secrets (upstream-behaviour §4.6, §9, §12 and the rules): a global API key and an agent's credentials are
 * used (the agent's key wins), survive a restart, and never appear in any API answer, in the server's console output
 * or, in clear, in any file under the server home (H2 database files included). The key that seals them is a 0600
 * file in the home.
 */
class SecretsIT {
  private static final SecureRandom RANDOM = new SecureRandom();

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path tmp;

  static String random(String prefix) {
    byte[] bytes = new byte[18];
    RANDOM.nextBytes(bytes);
    return prefix + HexFormat.of().formatHex(bytes);
  }

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void secretsAreUsedButNeverShownLoggedOrStoredInClear() throws Exception {
    String globalKey = random("sk-global-");
    String agentKey = random("sk-agent-");
    String githubToken = random("ghp-");
    String arrayValue = random("sk-array-");
    String nestedValue = random("sk-nested-");
    String numberValue = Long.toString(900_000_000_000L + RANDOM.nextLong(99_000_000_000L));
    String brokenValue = random("sk-broken-");
    // What the test itself sends; every secret must be found here, so that a search that finds nothing means something.
    var sent = new StringBuilder();
    List<String> answers = new ArrayList<>();
    Path home = tmp.resolve("home");

    try (FakeModelServer fake = FakeModelServer.start()) {
      String m = marker("secret");
      fake.respond(chat(r -> Reply.text("ok")));
      ServerProcess server = ServerProcess.start(home);
      try {
        Http http = server.http();
        ObjectNode settings = ChatFixtures.settings(fake, globalKey);
        sent.append(settings).append('\n');
        Http.Response put = http.put("/api/settings/global", settings);
        JsonNode redacted = http.expect(put, 200);
        answers.add(put.body());
        assertTrue(redacted.path("providers").path(COMPAT).path("apiKeyConfigured").asBoolean(), () -> server.explain(put));
        assertFalse(redacted.path("providers").path(COMPAT).has("apiKey"), () -> server.explain(put));

        // The global key is used for the COO.
        assertEquals("Bearer " + globalKey, chatOnce(answers, server, fake, "first " + m).header("authorization"));

        // The agent's own key wins over the global one.
        ObjectNode credentials = Http.JSON.createObjectNode()
            .put("OPENAI_COMPATIBLE_API_KEY", agentKey).put("GITHUB_TOKEN", githubToken);
        sent.append(credentials).append('\n');
        Http.Response stored = http.post("/api/agents/coo/credentials", credentials);
        assertEquals(Http.json("{\"ok\":true}"), http.expect(stored, 200), () -> server.explain(stored));
        answers.add(stored.body());
        assertEquals("Bearer " + agentKey, chatOnce(answers, server, fake, "second " + m).header("authorization"),
            "the agent's credential should win over the global settings' key");

        Http.Response unknown = http.post("/api/agents/nobody/credentials", credentials);
        assertEquals(Http.json("{\"error\":\"not found\"}"), http.expect(unknown, 404), () -> server.explain(unknown));
        answers.add(unknown.body());

        // Bad bodies: a 400 that does not repeat what was sent.
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("[\"" + arrayValue + "\"]", arrayValue);
        bad.put("{\"OPENAI_API_KEY\":{\"value\":\"" + nestedValue + "\"}}", nestedValue);
        bad.put("{\"OPENAI_API_KEY\":" + numberValue + "}", numberValue);
        bad.put("{\"OPENAI_API_KEY\":\"" + brokenValue + "\"", brokenValue);
        bad.put("\"" + brokenValue + "\"", brokenValue);
        for (var entry : bad.entrySet()) {
          sent.append(entry.getKey()).append('\n');
          Http.Response r = http.post("/api/agents/coo/credentials", entry.getKey());
          JsonNode error = http.expect(r, 400);
          assertTrue(error.path("error").isTextual(), () -> server.explain(r));
          assertFalse(r.body().contains(entry.getValue()), () -> "the 400 repeats the value sent\n" + server.explain(r));
          answers.add(r.body());
        }
        // ... and changes nothing: the agent's key is still the one in use.
        assertEquals("Bearer " + agentKey, chatOnce(answers, server, fake, "third " + m).header("authorization"));

        // A restart: the sealed secrets are read back with the key file.
        server.stop();
        assertFalse(server.wasForced(), () -> "SIGTERM was ignored\n" + server.logTail());
        Path keyFile = home.resolve("secret.key");
        assertTrue(Files.isRegularFile(keyFile), "no key file " + keyFile);
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(keyFile),
            "the key file must be readable by its owner only");
        ServerProcess again = ServerProcess.start(home);
        try {
          assertEquals("Bearer " + agentKey, chatOnce(answers, again, fake, "fourth " + m).header("authorization"),
              "the agent's credential should survive a restart");
          answers.addAll(everyGet(again.http()));
          again.stop();
          assertFalse(again.wasForced(), () -> "SIGTERM was ignored\n" + again.logTail());
          answers.add(again.logText());
        } finally {
          again.close();
        }
        answers.add(server.logText());
      } finally {
        server.close();
      }
      // The fake did see the secrets in clear: the values did leave, where they should.
      assertTrue(requestsWith(fake, m).stream().anyMatch(r -> ("Bearer " + agentKey).equals(r.header("authorization"))));
    }

    List<String> secrets = List.of(globalKey, agentKey, githubToken, arrayValue, nestedValue, numberValue, brokenValue);
    // The search works: it finds every value in what the test sent.
    Path sentFile = tmp.resolve("sent.txt");
    Files.writeString(sentFile, sent);
    for (String secret : secrets) {
      assertEquals(List.of(sentFile), filesContaining(List.of(sentFile), secret), "the search cannot find " + secret);
    }

    for (String secret : secrets) {
      for (String answer : answers) {
        assertFalse(answer.contains(secret), () -> "a secret (" + secret.substring(0, 8) + "...) is in an answer or the"
            + " log:\n" + answer);
      }
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(home)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    assertTrue(files.stream().anyMatch(f -> f.getFileName().toString().endsWith(".db")),
        () -> "expected H2 database files under the home: " + files);
    for (String secret : secrets) {
      List<Path> found = filesContaining(files, secret);
      assertEquals(List.of(), found, "a secret (" + secret.substring(0, 8) + "...) is stored in clear");
    }
    System.out.printf("[e2e] %d secrets searched in %d answers and %d files under the home: none found%n",
        secrets.size(), answers.size(), files.size());
  }

  /**
   * One COO turn through a fresh Node client; adds every event it received to {@code answers} and returns the request
   * the fake got for it.
   */
  static RecordedRequest chatOnce(List<String> answers, ServerProcess server, FakeModelServer fake, String text) {
    try (NodeChat node = NodeChat.connect(server, "websocket", 1)) {
      ChatClient client = node.socket(0);
      client.join("coo", null);
      ChatClient.Reply reply = client.chat("coo", text).withoutErrors();
      assertEquals("ok", reply.text(), reply::explain);
      client.events().forEach(e -> answers.add(e.toString()));
      List<RecordedRequest> requests = requestsWith(fake, text);
      assertEquals(1, requests.size(), () -> "requests for " + text + ": " + requests);
      return requests.get(0);
    }
  }

  /** Every GET of the API a client can make here: the agent list and each agent, settings, providers, health, setup. */
  static List<String> everyGet(Http http) {
    List<String> bodies = new ArrayList<>();
    Http.Response agents = http.get("/api/agents");
    JsonNode list = http.expect(agents, 200);
    bodies.add(agents.body());
    for (JsonNode agent : list) {
      Http.Response one = http.get("/api/agents/" + agent.path("id").asText());
      http.expect(one, 200);
      bodies.add(one.body());
    }
    for (String path : List.of("/api/settings/global", "/api/providers", "/api/health", "/api/setup-state")) {
      Http.Response r = http.get(path);
      http.expect(r, 200);
      bodies.add(r.body());
    }
    return bodies;
  }

  /** The files holding {@code secret} as UTF-8 or UTF-16 (either byte order). */
  static List<Path> filesContaining(List<Path> files, String secret) throws IOException {
    List<byte[]> needles = List.of(secret.getBytes(StandardCharsets.UTF_8), secret.getBytes(StandardCharsets.UTF_16LE),
        secret.getBytes(StandardCharsets.UTF_16BE));
    List<Path> found = new ArrayList<>();
    for (Path file : files) {
      byte[] content = Files.readAllBytes(file);
      if (needles.stream().anyMatch(n -> indexOf(content, n) >= 0)) {
        found.add(file);
      }
    }
    return found;
  }

  static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
