package otterbot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Hot deploy as an operator does it: drop the example agent pack into {@code <home>/deploy/} of a running server, use
 * its agents, delete the jar. The server keeps answering throughout; a background client counts every answer that
 * is not 200.
 */
class HotInstallIT {
  static final String PACK_BUNDLE = "otterbot.agentpack.example";
  static final List<String> PACK_AGENTS = List.of("pack-researcher", "pack-writer");
  static final Duration WITHIN = Duration.ofSeconds(30);

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path tmp;

  static ServerProcess server;
  static Http http;

  @BeforeAll
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  static void startServer() {
    server = ServerProcess.start(tmp.resolve("home"));
    http = server.http();
  }

  @AfterAll
  @Timeout(value = 40, unit = TimeUnit.SECONDS)
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  static Path packJar() {
    Path jar = Path.of(System.getProperty("otterbot.agentpack.jar",
        "target/deploy-fixtures/otterbot.agentpack.example.jar")).toAbsolutePath();
    assertTrue(Files.isRegularFile(jar), "the agent pack " + jar + " does not exist (maven-dependency-plugin copies it)");
    return jar;
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void anAgentPackComesAndGoesWithItsJarWhileTheServerKeepsAnswering() throws Exception {
    Path deployed = server.home().resolve("deploy").resolve(PACK_BUNDLE + ".jar");
    assertTrue(Files.isDirectory(deployed.getParent()), "no deploy/ directory in the home");

    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger answers = new AtomicInteger();
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    Thread poller = new Thread(() -> {
      while (running.get()) {
        try {
          Http.Response r = http.get("/api/setup-state");
          answers.incrementAndGet();
          if (r.status() != 200) {
            failures.add(r.toString());
          }
        } catch (RuntimeException e) {
          answers.incrementAndGet();
          failures.add("GET /api/setup-state failed: " + e);
        }
        ServerProcess.pause(10);
      }
    }, "setup-state-poller");
    poller.setDaemon(true);
    poller.start();
    try {
      JsonNode userAgent = null;
      for (int round = 1; round <= 2; round++) {
        int r = round;
        // install
        Files.copy(packJar(), deployed);
        Duration appeared = server.eventually("round " + r + ": the pack agents appear in GET /api/agents", WITHIN,
            () -> ids().containsAll(PACK_AGENTS), () -> http.get("/api/agents").toString());
        System.out.printf("[e2e] round %d: pack agents listed %d ms after the jar was copied%n", r, appeared.toMillis());

        Http.Response list = http.get("/api/agents");
        for (JsonNode summary : http.expect(list, 200)) {
          if (PACK_AGENTS.contains(summary.path("id").asText())) {
            assertEquals("agent", summary.path("role").asText(), () -> server.explain(list));
            assertEquals("idle", summary.path("status").asText(), () -> server.explain(list));
            assertTrue(summary.path("chatModel").path("provider").isTextual()
                && summary.path("chatModel").path("modelId").isTextual(), () -> "no default chat model\n" + server.explain(list));
            assertFalse(summary.path("artwork").path("modelPack").asText("").isBlank(),
                () -> "no default model pack\n" + server.explain(list));
          }
        }

        Http.Response researcher = http.get("/api/agents/pack-researcher");
        JsonNode profile = http.expect(researcher, 200);
        assertEquals("Pack Researcher", profile.path("displayName").asText(), () -> server.explain(researcher));
        assertEquals(ApiContractIT.PROFILE_FIELDS, ApiContractIT.fieldNames(profile), () -> server.explain(researcher));
        assertTrue(profile.path("model").path("embedding").path("provider").isTextual(), () -> server.explain(researcher));
        assertFalse(profile.path("createdAt").asText("").isBlank(), () -> server.explain(researcher));
        http.expect(http.get("/api/agents/pack-writer"), 200);

        Http.Response delete = http.delete("/api/agents/pack-researcher");
        JsonNode deleteError = http.expect(delete, 409);
        assertTrue(deleteError.path("error").asText().contains(PACK_BUNDLE),
            () -> "the 409 should name the bundle that owns the agent\n" + server.explain(delete));
        Http.Response patch = http.patch("/api/agents/pack-researcher", "{\"persona\":\"hijacked\"}");
        assertTrue(http.expect(patch, 409).path("error").asText().contains(PACK_BUNDLE), () -> server.explain(patch));
        Http.Response unchanged = http.get("/api/agents/pack-researcher");
        assertEquals(profile, http.expect(unchanged, 200), () -> server.explain(unchanged));

        if (round == 1) {
          Http.Response created = http.post("/api/agents", "{\"displayName\":\"Pack Researcher\"}");
          userAgent = http.expect(created, 200);
          assertEquals("pack-researcher-2", userAgent.path("id").asText(), () -> server.explain(created));
        }

        Http.Response health = http.get("/api/health");
        assertEquals(Http.json("[]"), http.expect(health, 200).path("bundles").path("failed"), () -> server.explain(health));

        // uninstall
        Files.delete(deployed);
        Duration gone = server.eventually("round " + r + ": the pack agents disappear from GET /api/agents", WITHIN,
            () -> ids().stream().noneMatch(PACK_AGENTS::contains), () -> http.get("/api/agents").toString());
        System.out.printf("[e2e] round %d: pack agents gone %d ms after the jar was deleted%n", r, gone.toMillis());
        Http.Response missing = http.get("/api/agents/pack-researcher");
        assertEquals(Http.json("{\"error\":\"not found\"}"), http.expect(missing, 404), () -> server.explain(missing));
        http.expect(http.get("/api/agents/pack-writer"), 404);

        JsonNode mine = userAgent;
        Http.Response still = http.get("/api/agents/pack-researcher-2");
        assertEquals(mine, http.expect(still, 200), () -> "the user's own agent changed\n" + server.explain(still));
        Http.Response after = http.get("/api/health");
        assertEquals(200, after.status(), () -> server.explain(after));
      }
    } finally {
      running.set(false);
      poller.join(10_000);
    }
    System.out.printf("[e2e] GET /api/setup-state answered %d times during hot deploy, %d failures%n",
        answers.get(), failures.size());
    assertTrue(answers.get() > 10, "the background client barely ran: " + answers.get());
    assertEquals(List.of(), failures.subList(0, Math.min(failures.size(), 10)),
        () -> failures.size() + " of " + answers.get() + " requests failed during hot deploy\n" + server.logTail());
  }

  static List<String> ids() {
    Http.Response r = http.get("/api/agents");
    if (r.status() != 200 || r.json() == null) {
      return List.of();
    }
    var ids = new ArrayList<String>();
    r.json().forEach(a -> ids.add(a.path("id").asText()));
    return ids;
  }
}
