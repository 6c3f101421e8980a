package otterbot.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import otterbot.api.provider.ToolCall;

class FakeModelServerTest {
  static final Duration WAIT = Duration.ofSeconds(20);
  static final ObjectMapper JSON = new ObjectMapper();

  final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  FakeModelServer server;

  @AfterEach
  void stop() {
    server.close();
  }

  HttpRequest.Builder post(String path, String body) {
    return HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
        .header("content-type", "application/json")
        .header("authorization", "Bearer sk-test")
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  static String chat(String userText) {
    return "{\"model\":\"m1\",\"stream\":true,\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
        + "{\"role\":\"user\",\"content\":\"" + userText + "\"}]}";
  }

  /** The JSON payloads of the data lines, [DONE] excluded. */
  static List<JsonNode> dataFrames(Stream<String> lines) {
    return lines.filter(l -> l.startsWith("data: ") && !l.equals("data: [DONE]"))
        .map(l -> {
          try {
            return JSON.readTree(l.substring(6));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        })
        .collect(Collectors.toList());
  }

  @Test
  void echoesTheLastUserMessageAsOpenAiChunksAndRecordsTheRequest() throws Exception {
    server = FakeModelServer.start();
    HttpResponse<Stream<String>> response = client.send(post("/chat/completions", chat("hello there")).build(),
        HttpResponse.BodyHandlers.ofLines());
    List<String> lines = response.body().collect(Collectors.toList());

    assertEquals(200, response.statusCode());
    assertEquals("text/event-stream", response.headers().firstValue("content-type").orElse(null));
    List<JsonNode> frames = dataFrames(lines.stream());
    String text = frames.stream().map(f -> f.path("choices").path(0).path("delta").path("content").asText(""))
        .collect(Collectors.joining());
    assertEquals("hello there", text);
    assertEquals("stop", frames.get(frames.size() - 1).path("choices").path(0).path("finish_reason").asText());
    assertEquals("data: [DONE]", lines.get(lines.size() - 2));

    RecordedRequest recorded = server.lastRequest();
    assertEquals("POST", recorded.method());
    assertEquals("/v1/chat/completions", recorded.path());
    assertEquals("Bearer sk-test", recorded.header("Authorization"));
    assertEquals("m1", recorded.model());
    assertEquals("be brief", recorded.system());
    assertEquals("hello there", recorded.lastUserText());
    assertFalse(recorded.hasToolResult());
  }

  @Test
  void flushesEachFrameBeforeComputingTheNext() throws Exception {
    server = FakeModelServer.start();
    CountDownLatch firstSeen = new CountDownLatch(1);
    // The second token is only produced once the client has read the first: this hangs if frames were buffered.
    server.respond(r -> Reply.tokens(2, i -> {
      if (i == 1 && !await(firstSeen)) {
        throw new IllegalStateException("the client never saw the first token");
      }
      return "t" + i;
    }));
    HttpResponse<Stream<String>> response = client.send(post("/chat/completions", chat("x")).build(),
        HttpResponse.BodyHandlers.ofLines());
    List<String> contents = new ArrayList<>();
    response.body().forEach(line -> {
      if (line.contains("\"content\":\"t0\"")) {
        firstSeen.countDown();
      }
      if (line.contains("\"content\":\"t")) {
        contents.add(line);
      }
    });
    assertEquals(2, contents.size());
  }

  @Test
  void streamsAnthropicEventsWithAToolCallInFragments() throws Exception {
    server = FakeModelServer.start();
    server.respond(r -> Reply.text("Let me look.").thenToolCall("get_weather", "{\"city\":\"Paris\"}"));
    HttpResponse<Stream<String>> response = client.send(post("/messages",
        "{\"model\":\"claude\",\"system\":\"sys\",\"messages\":[{\"role\":\"user\",\"content\":\"weather?\"}]}").build(),
        HttpResponse.BodyHandlers.ofLines());
    List<String> lines = response.body().collect(Collectors.toList());

    List<String> events = lines.stream().filter(l -> l.startsWith("event: ")).map(l -> l.substring(7))
        .collect(Collectors.toList());
    assertEquals(List.of("message_start", "ping", "content_block_start", "content_block_delta", "content_block_stop",
        "content_block_start", "content_block_delta", "content_block_delta", "content_block_delta",
        "content_block_stop", "message_delta", "message_stop"), events);
    List<JsonNode> frames = dataFrames(lines.stream());
    JsonNode toolStart = frames.get(5).path("content_block");
    assertEquals("tool_use", toolStart.path("type").asText());
    assertEquals("get_weather", toolStart.path("name").asText());
    String arguments = frames.subList(6, 9).stream().map(f -> f.path("delta").path("partial_json").asText())
        .collect(Collectors.joining());
    assertEquals("{\"city\":\"Paris\"}", arguments);
    assertEquals("tool_use", frames.get(10).path("delta").path("stop_reason").asText());
    assertEquals("sys", server.lastRequest().system());
    assertTrue(server.lastRequest().isAnthropic());
  }

  @Test
  void readsToolResultsOfBothWireFormats() throws Exception {
    server = FakeModelServer.start();
    client.send(post("/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"},"
        + "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"42\"}]}").build(),
        HttpResponse.BodyHandlers.discarding());
    client.send(post("/messages", "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"user\",\"content\":"
        + "[{\"type\":\"tool_result\",\"tool_use_id\":\"c1\",\"content\":\"43\"}]}]}").build(),
        HttpResponse.BodyHandlers.discarding());

    List<RecordedRequest> requests = server.requests();
    assertEquals("42", requests.get(0).toolResultContent());
    assertEquals("43", requests.get(1).toolResultContent());
    assertEquals("q", requests.get(1).lastUserText());
  }

  @Test
  void answersErrorsWithStatusJsonBodyAndRetryAfter() throws Exception {
    server = FakeModelServer.start();
    server.respond(r -> Reply.error(429, "slow down").retryAfter("7"));
    HttpResponse<String> response = client.send(post("/chat/completions", chat("x")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertEquals(429, response.statusCode());
    assertEquals("7", response.headers().firstValue("retry-after").orElse(null));
    assertEquals("slow down", JSON.readTree(response.body()).path("error").path("message").asText());
  }

  @Test
  void listsModels() throws Exception {
    server = FakeModelServer.start();
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/models")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(FakeModelServer.DEFAULT_MODEL, JSON.readTree(response.body()).path("data").path(0).path("id").asText());
  }

  @Test
  void dropBreaksTheResponseOffMidBody() throws Exception {
    server = FakeModelServer.start();
    server.respond(r -> Reply.text("a", "b", "c").dropAfter(1));
    // A raw socket shows exactly what was sent; HTTP clients may discard data that arrived just before a broken
    // connection.
    String body = chat("x");
    String received;
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: test\r\n"
          + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
          .getBytes(StandardCharsets.UTF_8));
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try {
        socket.getInputStream().transferTo(bytes);
      } catch (IOException reset) {
        // The connection ended; what arrived before is in bytes.
      }
      received = bytes.toString(StandardCharsets.UTF_8);
    }
    assertTrue(received.contains("\"content\":\"a\""), received);
    assertFalse(received.contains("\"content\":\"b\""), received);
    assertFalse(received.endsWith("0\r\n\r\n"), "the chunked body was ended properly: " + received);
  }

  @Test
  void stallKeepsTheConnectionOpenUntilClose() throws Exception {
    server = FakeModelServer.start();
    server.respond(r -> Reply.text("a", "b").stallAfter(1));
    CompletableFuture<HttpResponse<String>> response = client.sendAsync(post("/chat/completions", chat("x")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertFalse(await(response, Duration.ofMillis(500)), "the stalled response ended on its own");
    server.close();
    assertTrue(await(response, WAIT), "closing the server did not end the stalled response");
  }

  @Test
  void countsClientsThatHangUpMidStream() throws Exception {
    server = FakeModelServer.start();
    server.respond(r -> Reply.tokens(1000, i -> "t" + i).delayEachStep(Duration.ofMillis(10)));
    HttpResponse<Stream<String>> response = client.send(post("/chat/completions", chat("x")).build(),
        HttpResponse.BodyHandlers.ofLines());
    try (Stream<String> lines = response.body()) {
      lines.filter(l -> l.contains("\"content\":\"t2\"")).findFirst();
    }
    assertTrue(server.awaitClientDisconnects(1, WAIT));
  }

  @Test
  void servesFiftyStreamsAtOnce() throws Exception {
    server = FakeModelServer.start();
    CountDownLatch allStarted = new CountDownLatch(50);
    // Every stream waits for all others to have started: this only finishes if they are served in parallel.
    server.respond(r -> Reply.tokens(2, i -> {
      if (i == 0) {
        allStarted.countDown();
      } else if (!await(allStarted)) {
        throw new IllegalStateException("the streams were not served in parallel");
      }
      return r.lastUserText() + "/" + i;
    }));
    List<CompletableFuture<HttpResponse<String>>> responses = IntStream.range(0, 50)
        .mapToObj(n -> client.sendAsync(post("/chat/completions", chat("c" + n)).build(),
            HttpResponse.BodyHandlers.ofString()))
        .collect(Collectors.toList());
    for (int n = 0; n < 50; n++) {
      String body = responses.get(n).get(WAIT.toSeconds(), TimeUnit.SECONDS).body();
      assertTrue(body.contains("\"content\":\"c" + n + "/1\"") && body.contains("[DONE]"), body);
    }
    assertEquals(50, server.requests().size());
  }

  @Test
  void toolCallsWithExplicitIdsKeepThem() throws Exception {
    server = FakeModelServer.start();
    server.respond(r -> Reply.toolCalls(new ToolCall("id-7", "a", "{}"), new ToolCall("id-8", "b", "{\"k\":1}")));
    HttpResponse<Stream<String>> response = client.send(post("/chat/completions", chat("x")).build(),
        HttpResponse.BodyHandlers.ofLines());
    List<JsonNode> frames = dataFrames(response.body());
    List<String> ids = frames.stream()
        .map(f -> f.path("choices").path(0).path("delta").path("tool_calls").path(0).path("id").asText(""))
        .filter(id -> !id.isEmpty())
        .collect(Collectors.toList());
    assertEquals(List.of("id-7", "id-8"), ids);
    assertEquals("tool_calls", frames.get(frames.size() - 1).path("choices").path(0).path("finish_reason").asText());
  }

  static boolean await(CountDownLatch latch) {
    try {
      return latch.await(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  static boolean await(CompletableFuture<?> future, Duration timeout) throws InterruptedException {
    try {
      future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (java.util.concurrent.TimeoutException e) {
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      return true;
    }
  }

  @Test
  void embeddingsAreDeterministicHashedBagsOfWordsAndRecorded() throws Exception {
    server = FakeModelServer.start();
    String body = "{\"model\":\"e1\",\"input\":[\"The Otter swims\",\"an otter, swimming\",\"\"]}";
    HttpResponse<String> first = client.send(post("/embeddings", body).build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> second = client.send(post("/embeddings", body).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, first.statusCode(), first.body());
    assertEquals(first.body(), second.body(), "the same input gives the same vectors");
    JsonNode data = JSON.readTree(first.body()).path("data");
    assertEquals(3, data.size());
    for (int i = 0; i < 3; i++) {
      JsonNode item = data.get(i);
      assertEquals(i, item.path("index").asInt());
      assertEquals(Reply.DEFAULT_DIMENSIONS, item.path("embedding").size());
      double norm = 0;
      for (JsonNode v : item.path("embedding")) {
        norm += v.asDouble() * v.asDouble();
      }
      assertEquals(1.0, norm, 1e-5, "unit length");
    }
    // Case and punctuation do not matter; "otter" is shared, so the first two texts are close.
    float[] a = Reply.hashedVector("The Otter swims", 64);
    assertEquals(a[Math.floorMod("otter".hashCode(), 64)], (float) data.get(0).path("embedding")
        .get(Math.floorMod("otter".hashCode(), 64)).asDouble(), 1e-6);
    assertTrue(dot(Reply.hashedVector("The Otter swims", 64), Reply.hashedVector("an otter, swimming", 64)) > 0.3);
    assertEquals(1.0f, Reply.hashedVector("", 64)[0], "a text without words is bucket 0");

    RecordedRequest recorded = server.lastRequest();
    assertTrue(recorded.isEmbeddings());
    assertEquals(List.of("The Otter swims", "an otter, swimming", ""), recorded.inputs());
    assertEquals("e1", recorded.model());
    assertEquals(2, server.requests().size());
  }

  @Test
  void embeddingsCanBeScriptedToFail() throws Exception {
    server = FakeModelServer.start().respond(r -> r.isEmbeddings() ? Reply.error(401, "bad key") : Reply.models());
    HttpResponse<String> refused = client.send(post("/embeddings", "{\"model\":\"e1\",\"input\":\"x\"}").build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(401, refused.statusCode());
    assertEquals("bad key", JSON.readTree(refused.body()).path("error").path("message").asText());
    server.respond(r -> Reply.json(200, "{not json"));
    HttpResponse<String> raw = client.send(post("/embeddings", "{\"input\":\"x\"}").build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals("{not json", raw.body());
    assertEquals(List.of("x"), server.lastRequest().inputs(), "a single string input is one text");
  }

  static double dot(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }
}
