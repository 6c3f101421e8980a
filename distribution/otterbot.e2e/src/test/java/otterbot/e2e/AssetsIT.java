package otterbot.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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

import otterbot.testsupport.GltfAssets;

/**
 * Asset packs end to end (upstream-behaviour §4.9, §13): a fresh install lists the default pack's model pack,
 * environment pack and scene; every listed file is served with its content type and validated by the Khronos glTF
 * validator; ETags, ranges and traversal attempts on the raw socket; a file copied into {@code <home>/assets} is
 * listed without a restart; and the example asset bundle hot-installed into {@code deploy/}, with an agent that uses
 * its model pack falling back to prototype-pete while it is gone, getting it back when it returns, and keeping its
 * choice over a restart without the pack.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AssetsIT {
  static final Duration WITHIN = Duration.ofSeconds(30);
  static final String PETE = "/assets/3d/workers/prototype-pete/characters/Prototype_Pete.glb";

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path tmp;

  static ServerProcess server;
  static Http http;
  static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  static void start() {
    server = ServerProcess.start(tmp.resolve("home"));
    http = server.http();
  }

  @AfterAll
  @Timeout(value = 40, unit = TimeUnit.SECONDS)
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** An answer with its body as bytes. */
  record Bin(int status, HttpResponse<byte[]> response) {
    String header(String name) {
      return response.headers().firstValue(name).orElse(null);
    }

    byte[] body() {
      return response.body();
    }

    @Override
    public String toString() {
      return status + " " + response.headers().map() + " "
          + new String(body(), 0, Math.min(200, body().length), StandardCharsets.ISO_8859_1);
    }
  }

  static Bin fetch(String method, String path, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(http.base().resolve(path)).timeout(Http.REQUEST_TIMEOUT)
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      request.headers(headers);
    }
    try {
      HttpResponse<byte[]> answer = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      return new Bin(answer.statusCode(), answer);
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static JsonNode list(String what) {
    return http.expect(http.get("/api/" + what), 200);
  }

  static JsonNode byId(JsonNode array, String id) {
    for (JsonNode item : array) {
      if (id.equals(item.path("id").asText())) {
        return item;
      }
    }
    return null;
  }

  static List<String> ids(String what) {
    var out = new ArrayList<String>();
    list(what).forEach(n -> out.add(n.path("id").asText()));
    return out;
  }

  @Test
  void aFreshInstallListsTheDefaultPacksModelPackEnvironmentAndScene() {
    JsonNode pete = byId(list("model-packs"), "prototype-pete");
    assertNotNull(pete, () -> list("model-packs").toString());
    assertEquals("Prototype Pete", pete.path("name").asText());
    assertEquals(PETE, pete.path("characterUrl").asText());
    assertEquals("/assets/3d/workers/prototype-pete/artwork.png", pete.path("thumbnailUrl").asText());
    String rig = "/assets/3d/workers/prototype-pete/Animations/gltf/Rig_Medium/";
    assertEquals(rig + "Rig_Medium_General.glb", pete.path("animations").path("idle").asText());
    assertEquals(rig + "Rig_Medium_Movement.glb", pete.path("animations").path("action").asText());
    assertEquals(rig + "Rig_Medium_Working.glb", pete.path("animations").path("working").asText());
    assertEquals("otterbot.assetpack.default", pete.path("source").asText());

    JsonNode bits = byId(list("environment-packs"), "prototype-bits");
    assertNotNull(bits, () -> list("environment-packs").toString());
    assertEquals("Prototype Bits", bits.path("name").asText());
    assertEquals(List.of("crate", "desk", "floor_tile"), strings(bits.path("assets"), "id"));
    assertEquals("floor tile", bits.path("assets").get(2).path("name").asText());

    JsonNode office = byId(list("scenes"), "default-office");
    assertNotNull(office, () -> list("scenes").toString());
    assertEquals("Default Office", office.path("name").asText());
    assertTrue(office.path("props").isArray() && office.path("props").size() > 0, office.toString());
    assertTrue(office.path("waypointGraph").path("waypoints").isArray(), office.toString());
  }

  @Test
  void everyListedFileIsServedWithItsTypeAndValidatesWithZeroErrors() {
    var urls = new ArrayList<String>();
    JsonNode pete = byId(list("model-packs"), "prototype-pete");
    urls.add(pete.path("characterUrl").asText());
    pete.path("animations").forEach(a -> urls.add(a.asText()));
    byId(list("environment-packs"), "prototype-bits").path("assets").forEach(a -> urls.add(a.path("modelUrl").asText()));
    assertEquals(7, urls.size(), urls.toString());
    var absolute = new ArrayList<String>();
    for (String url : urls) {
      Bin answer = fetch("GET", url);
      assertEquals(200, answer.status(), url + ": " + answer);
      assertEquals(url.endsWith(".glb") ? "model/gltf-binary" : "model/gltf+json", answer.header("content-type"), url);
      assertEquals("nosniff", answer.header("x-content-type-options"), url);
      assertEquals(String.valueOf(answer.body().length), answer.header("content-length"), url);
      assertEquals("public, max-age=3600", answer.header("cache-control"), url);
      assertEquals("bytes", answer.header("accept-ranges"), url);
      assertNotNull(answer.header("last-modified"), url);
      if (url.endsWith(".glb")) {
        assertEquals("glTF", new String(answer.body(), 0, 4, StandardCharsets.US_ASCII), url);
      }
      absolute.add(http.base().resolve(url).toString());
    }
    Bin png = fetch("GET", pete.path("thumbnailUrl").asText());
    assertEquals(200, png.status());
    assertEquals("image/png", png.header("content-type"));
    assertEquals("PNG", new String(png.body(), 1, 3, StandardCharsets.US_ASCII));

    NodeScript validated = NodeScript.run(Duration.ofSeconds(60), "validate-gltf.mjs", absolute.toArray(String[]::new));
    List<JsonNode> reports = validated.lines();
    assertEquals(absolute.size(), reports.size(), validated::explain);
    for (JsonNode report : reports) {
      assertEquals("validated", report.path("status").asText(), validated::explain);
      assertEquals(0, report.path("errors").asInt(-1), validated::explain);
    }
    assertEquals(0, validated.exitCode(), validated::explain);
  }

  @Test
  void anEtagRoundTripAnswers304AndHeadAnswersTheSameHeaders() {
    Bin first = fetch("GET", PETE);
    String etag = first.header("etag");
    assertTrue(etag != null && etag.startsWith("\"") && etag.endsWith("\""), "a strong ETag: " + first);
    Bin again = fetch("GET", PETE, "If-None-Match", etag);
    assertEquals(304, again.status(), again.toString());
    assertEquals(0, again.body().length);
    assertEquals(etag, again.header("etag"));
    assertEquals(200, fetch("GET", PETE, "If-None-Match", "\"something-else\"").status());
    assertEquals(304, fetch("GET", PETE, "If-Modified-Since", first.header("last-modified")).status());

    Bin head = fetch("HEAD", PETE);
    assertEquals(200, head.status());
    assertEquals(0, head.body().length);
    assertEquals(etag, head.header("etag"));
    assertEquals(first.header("content-length"), head.header("content-length"));
    assertEquals("model/gltf-binary", head.header("content-type"));
  }

  @Test
  void rangesAnswer206And416() {
    byte[] whole = fetch("GET", PETE).body();
    int size = whole.length;
    Bin part = fetch("GET", PETE, "Range", "bytes=0-9");
    assertEquals(206, part.status(), part.toString());
    assertEquals("bytes 0-9/" + size, part.header("content-range"));
    assertArrayEquals(Arrays.copyOfRange(whole, 0, 10), part.body());
    Bin tail = fetch("GET", PETE, "Range", "bytes=-5");
    assertEquals(206, tail.status());
    assertArrayEquals(Arrays.copyOfRange(whole, size - 5, size), tail.body());
    Bin open = fetch("GET", PETE, "Range", "bytes=100-");
    assertArrayEquals(Arrays.copyOfRange(whole, 100, size), open.body());
    assertEquals("bytes 100-" + (size - 1) + "/" + size, open.header("content-range"));

    Bin beyond = fetch("GET", PETE, "Range", "bytes=" + size + "-");
    assertEquals(416, beyond.status(), beyond.toString());
    assertEquals("bytes */" + size, beyond.header("content-range"));
    assertEquals("application/json", beyond.header("content-type").split(";")[0]);

    Bin several = fetch("GET", PETE, "Range", "bytes=0-1,5-6");
    assertEquals(200, several.status());
    assertArrayEquals(whole, several.body());
    String etag = fetch("HEAD", PETE).header("etag");
    assertEquals(206, fetch("GET", PETE, "Range", "bytes=0-9", "If-Range", etag).status());
    Bin stale = fetch("GET", PETE, "Range", "bytes=0-9", "If-Range", "\"stale\"");
    assertEquals(200, stale.status());
    assertArrayEquals(whole, stale.body());
  }

  @Test
  void traversalAttemptsAreRefusedWithoutFileContent() throws IOException {
    Path assets = server.home().resolve("assets");
    Files.createDirectories(assets.resolve("workers/leak/characters"));
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("secret.txt"), "TOP-SECRET-CONTENT");
    Files.createSymbolicLink(assets.resolve("workers/leak/characters/Leak.glb"), outside.resolve("secret.txt"));
    Files.createSymbolicLink(assets.resolve("escape"), outside);

    for (String target : List.of("/assets/3d/../../etc/passwd", "/assets/3d/%2e%2e/%2e%2e/etc/passwd",
        "/assets/3d/workers/%2E%2E/%2E%2E/%2E%2E/etc/passwd", "/assets/3d/workers%2Fprototype-pete%2Fartwork.png",
        "/assets/3d/workers%2fprototype-pete%2fartwork.png", "/assets/3d/..%5C..%5Cetc%5Cpasswd",
        "/assets/3d/workers\\..\\..\\etc\\passwd", "/assets/3d/workers/%00.glb",
        "/assets/3d/workers/./prototype-pete/artwork.png", "/assets/3d/escape/secret.txt",
        "/assets/3d/workers/leak/characters/Leak.glb")) {
      Http.Response answer = http.raw("GET", target);
      assertTrue(answer.status() >= 400 && answer.status() < 500, target + ": " + answer);
      assertFalse(answer.body().contains("root:") || answer.body().contains("TOP-SECRET"), target + ": " + answer);
      assertTrue(answer.json() != null && answer.json().path("error").isTextual(), target + ": " + answer);
    }
    assertEquals(400, http.raw("GET", "/assets/3d/%2e%2e/x").status());
    assertEquals(404, http.raw("GET", "/assets/3d/escape/secret.txt").status());
    assertFalse(ids("model-packs").contains("leak"), "a link out of the directory is not a file of it");
    Bin delete = fetch("DELETE", PETE);
    assertEquals(405, delete.status(), delete.toString());
  }

  @Test
  void aFileCopiedIntoTheHomeAssetsIsListedWithoutARestart() throws IOException {
    byte[] hero = GltfAssets.character(GltfAssets.ORC, null);
    Path file = server.home().resolve("assets/workers/home-hero/characters/Hero.glb");
    Files.createDirectories(file.getParent());
    Files.write(file, hero);
    server.eventually("home-hero in GET /api/model-packs", WITHIN, () -> ids("model-packs").contains("home-hero"),
        () -> list("model-packs").toString());
    JsonNode pack = byId(list("model-packs"), "home-hero");
    assertEquals("home", pack.path("source").asText());
    assertEquals("Home Hero", pack.path("name").asText());
    Bin served = fetch("GET", pack.path("characterUrl").asText());
    assertEquals(200, served.status(), served.toString());
    assertArrayEquals(hero, served.body());
    assertEquals("no-cache", served.header("cache-control"), "the home directory changes: revalidate");
  }

  /**
   * A client that reads slowly gets a large file whole, and its connection stays in step: Jetty's answer comes to the
   * public port in process (issue 12), where the front holds Jetty back while the client lags instead of buffering
   * the file.
   */
  @Test
  void aLargeFileReachesASlowReaderWholeAndTheConnectionStaysInStep() throws Exception {
    byte[] hero = GltfAssets.character(GltfAssets.ORC, null);
    byte[] large = Arrays.copyOf(hero, hero.length + 12 * 1024 * 1024); // more than the loopback socket buffers hold
    for (int i = hero.length; i < large.length; i++) {
      large[i] = (byte) (i % 251);
    }
    Path file = server.home().resolve("assets/workers/big-hero/characters/Hero.glb");
    Files.createDirectories(file.getParent());
    Files.write(file, large);
    server.eventually("big-hero in GET /api/model-packs", WITHIN, () -> ids("model-packs").contains("big-hero"),
        () -> list("model-packs").toString());
    String path = byId(list("model-packs"), "big-hero").path("characterUrl").asText();
    try (var socket = new Socket()) {
      socket.setReceiveBufferSize(4096);
      socket.setSoTimeout(30_000);
      socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
      var out = socket.getOutputStream();
      var in = new BufferedInputStream(socket.getInputStream());
      out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Thread.sleep(500); // the client's buffers fill; the server has to wait for it
      Map<String, String> head = readHead(in);
      assertEquals("200", head.get(":status"), head.toString());
      assertEquals(String.valueOf(large.length), head.get("content-length"), head.toString());
      assertArrayEquals(large, in.readNBytes(large.length));
      out.write("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertEquals("200", readHead(in).get(":status"), "the next request on the same connection is answered");
    }
  }

  /** The status (as {@code :status}) and headers (lower-case names) of a response on a raw socket. */
  private static Map<String, String> readHead(InputStream in) throws IOException {
    var head = new LinkedHashMap<String, String>();
    var line = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        String text = line.toString().strip();
        line.setLength(0);
        if (text.isEmpty()) {
          return head;
        }
        if (head.isEmpty()) {
          head.put(":status", text.split(" ")[1]);
        } else {
          int colon = text.indexOf(':');
          String name = text.substring(0, colon).strip().toLowerCase(Locale.ROOT);
          head.put(name, text.substring(colon + 1).strip());
        }
      } else {
        line.append((char) c);
      }
    }
    throw new IOException("the server closed the connection in the response head: " + head);
  }

  @Test
  void theExamplePackComesAndGoesAndAnAgentFallsBackAndReturns() throws Exception {
    Path jar = Path.of(System.getProperty("otterbot.assetpack.jar",
        "target/deploy-fixtures/otterbot.assetpack.example.jar")).toAbsolutePath();
    assertTrue(Files.isRegularFile(jar), jar.toString());
    Path deployed = server.home().resolve("deploy").resolve("otterbot.assetpack.example.jar");
    String agent = MemoryIT.createAgent(http, "Orc Fan");

    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger answers = new AtomicInteger();
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    Thread poller = new Thread(() -> {
      while (running.get()) {
        for (String path : List.of("/api/model-packs", "/api/agents", PETE)) {
          try {
            int status = fetch("GET", path).status();
            answers.incrementAndGet();
            if (status != 200) {
              failures.add(path + " answered " + status);
            }
          } catch (RuntimeException e) {
            failures.add(path + " failed: " + e);
          }
        }
        ServerProcess.pause(20);
      }
    }, "assets-poller");
    poller.setDaemon(true);
    poller.start();
    try {
      for (int round = 1; round <= 2; round++) {
        Files.copy(jar, deployed);
        server.eventually("round " + round + ": orc-brute listed", WITHIN, () -> ids("model-packs").contains("orc-brute"),
            () -> list("model-packs").toString());
        JsonNode orc = byId(list("model-packs"), "orc-brute");
        assertEquals("otterbot.assetpack.example", orc.path("source").asText());
        assertEquals(200, fetch("GET", orc.path("characterUrl").asText()).status());
        if (round == 1) {
          http.expect(http.patch("/api/agents/" + agent, Map.of("artwork", Map.of("modelPack", "orc-brute"))), 200);
        }
        JsonNode shown = http.expect(http.get("/api/agents/" + agent), 200).path("artwork");
        assertEquals("orc-brute", shown.path("modelPack").asText(), shown.toString());
        assertFalse(shown.has("requestedModelPack"), shown.toString());

        Files.delete(deployed);
        server.eventually("round " + round + ": orc-brute gone", WITHIN, () -> !ids("model-packs").contains("orc-brute"),
            () -> list("model-packs").toString());
        assertEquals(404, fetch("GET", orc.path("characterUrl").asText()).status());
        JsonNode fallback = http.expect(http.get("/api/agents/" + agent), 200).path("artwork");
        assertEquals("prototype-pete", fallback.path("modelPack").asText(), fallback.toString());
        assertEquals("orc-brute", fallback.path("requestedModelPack").asText(), fallback.toString());
        JsonNode summary = null;
        for (JsonNode a : http.expect(http.get("/api/agents"), 200)) {
          if (agent.equals(a.path("id").asText())) {
            summary = a;
          }
        }
        assertNotNull(summary);
        assertEquals("prototype-pete", summary.path("artwork").path("modelPack").asText(), summary.toString());
        assertEquals("orc-brute", summary.path("artwork").path("requestedModelPack").asText(), summary.toString());
        server.eventually("the fallback logged", WITHIN, () -> server.logText().contains(
            "Model pack orc-brute is no longer installed: agents " + agent), () -> "no log line");
      }
    } finally {
      running.set(false);
      poller.join(10_000);
      Files.deleteIfExists(deployed);
    }
    assertTrue(answers.get() > 0);
    assertEquals(List.of(), failures, "other requests keep working while the pack comes and goes");

    // The stored choice survives a restart while its pack is missing (the one restart of this class).
    server.stop();
    server = ServerProcess.start(server.home());
    http = server.http();
    JsonNode restarted = http.expect(http.get("/api/agents/" + agent), 200).path("artwork");
    assertEquals("prototype-pete", restarted.path("modelPack").asText(), restarted.toString());
    assertEquals("orc-brute", restarted.path("requestedModelPack").asText(), restarted.toString());
  }

  static List<String> strings(JsonNode array, String field) {
    var out = new ArrayList<String>();
    array.forEach(n -> out.add(n.path(field).asText()));
    return out;
  }
}
