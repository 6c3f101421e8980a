package otterbot.provider.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import otterbot.api.provider.EmbeddingRequest;
import otterbot.api.provider.ProviderException;
import otterbot.provider.support.OpenAiCompatibleProviderTest.TestProvider;
import otterbot.testsupport.FakeModelServer;
import otterbot.testsupport.RecordedRequest;
import otterbot.testsupport.Reply;

/** {@code POST <base>/embeddings} against the fake server: the request, the answer, and every way it can go wrong. */
class EmbeddingsTest {
  static final String KEY = OpenAiCompatibleProviderTest.KEY;
  static final OpenAiCompatible EMBEDS = new OpenAiCompatible("testai", "Test AI", true, true, "TEST_API_KEY",
      "TEST_BASE_URL", "http://127.0.0.1:9/v1", null, "max_tokens");

  FakeModelServer server;
  TestProvider provider;

  @BeforeEach
  void start() throws IOException {
    server = FakeModelServer.start();
    provider = new TestProvider(EMBEDS, OpenAiCompatibleProviderTest.WAIT);
  }

  @AfterEach
  void stop() {
    provider.stop();
    server.close();
  }

  EmbeddingRequest request(String... texts) {
    return new EmbeddingRequest("text-embedding-3-small", List.of(texts),
        Map.of("TEST_API_KEY", KEY, "TEST_BASE_URL", server.baseUrl() + "/"));
  }

  ProviderException failure(Reply reply, String... texts) {
    server.respond(r -> reply);
    ProviderException e = assertThrows(ProviderException.class, () -> provider.embed(request(texts)));
    assertFalse(e.getMessage().contains(KEY), "the key never appears: " + e.getMessage());
    return e;
  }

  @Test
  void sendsTheTextsAndReturnsOneVectorPerTextInOrder() throws Exception {
    List<float[]> vectors = provider.embed(request("the otter swims", "quarterly revenue", "the otter sleeps"));
    assertEquals(3, vectors.size());
    assertArrayEquals(Reply.hashedVector("the otter swims", Reply.DEFAULT_DIMENSIONS), vectors.get(0));
    assertArrayEquals(Reply.hashedVector("quarterly revenue", Reply.DEFAULT_DIMENSIONS), vectors.get(1));
    assertArrayEquals(Reply.hashedVector("the otter sleeps", Reply.DEFAULT_DIMENSIONS), vectors.get(2));

    RecordedRequest sent = server.lastRequest();
    assertEquals("POST", sent.method());
    assertEquals("/v1/embeddings", sent.path());
    assertEquals("text-embedding-3-small", sent.model());
    assertEquals(List.of("the otter swims", "quarterly revenue", "the otter sleeps"), sent.inputs());
    assertEquals("Bearer " + KEY, sent.header("authorization"));
    assertEquals("application/json", sent.header("content-type"));
  }

  @Test
  void ordersTheVectorsByTheirIndexNotByPosition() throws Exception {
    server.respond(r -> Reply.embeddings(8).reversed());
    List<float[]> vectors = provider.embed(request("alpha", "beta gamma"));
    assertArrayEquals(Reply.hashedVector("alpha", 8), vectors.get(0));
    assertArrayEquals(Reply.hashedVector("beta gamma", 8), vectors.get(1));
  }

  @Test
  void theFakeServersVectorsAreSemanticEnoughForSearch() throws Exception {
    List<float[]> v = provider.embed(request("my cat likes fish", "the cat", "revenue report for the quarter"));
    assertTrue(dot(v.get(0), v.get(1)) > dot(v.get(0), v.get(2)), "sharing a word makes texts closer");
  }

  @Test
  void noTextsMeansNoRequest() throws Exception {
    assertEquals(List.of(), provider.embed(request()));
    assertTrue(server.requests().isEmpty());
  }

  @Test
  void aRejectedKeyIsAClearFailureWithoutTheKey() {
    ProviderException e = failure(Reply.error(401, "Incorrect API key provided: " + KEY), "x");
    assertEquals("provider returned 401 Unauthorized: Incorrect API key provided: [redacted]", e.getMessage());
  }

  @Test
  void aServerErrorIsAClearFailure() {
    ProviderException e = failure(Reply.error(500, "model crashed"), "x");
    assertEquals("provider returned 500 Internal Server Error: model crashed", e.getMessage());
  }

  @Test
  void aServerWithoutTheEndpointSaysSo() {
    server.respond(r -> Reply.error(404, "no route for POST /v1/embeddings"));
    ProviderException e = assertThrows(ProviderException.class, () -> provider.embed(request("x")));
    assertTrue(e.getMessage().startsWith("provider returned 404 Not Found"), e.getMessage());
  }

  @Test
  void malformedAnswersAreRefused() {
    String expected = "Test AI did not answer with embeddings ({\"data\":[{\"index\":...,\"embedding\":[...]}]})";
    assertEquals(expected, failure(Reply.json(200, "{\"data\": [ {\"index\": 0, \"embedding\": [0.1, "), "x")
        .getMessage());
    assertEquals(expected, failure(Reply.json(200, "<html>proxy error</html>"), "x").getMessage());
    assertEquals(expected, failure(Reply.json(200, "{\"object\":\"list\"}"), "x").getMessage());
    assertEquals(expected, failure(Reply.json(200, "{\"data\":[{\"index\":0,\"embedding\":[\"a\"]}]}"), "x")
        .getMessage());
    assertEquals(expected, failure(Reply.json(200, "{\"data\":[{\"index\":0,\"embedding\":[]}]}"), "x").getMessage());
    assertEquals(expected, failure(Reply.json(200,
        "{\"data\":[{\"index\":0,\"embedding\":[1]},{\"index\":0,\"embedding\":[2]}]}"), "x", "y").getMessage(),
        "an index twice");
    assertEquals(expected, failure(Reply.json(200, "{\"data\":[{\"index\":5,\"embedding\":[1]}]}"), "x").getMessage(),
        "an index out of range");
  }

  @Test
  void aWrongNumberOfVectorsIsRefused() {
    assertEquals("Test AI returned 1 embedding for 2 texts",
        failure(Reply.vectors(new float[] {1, 0}), "x", "y").getMessage());
    assertEquals("Test AI returned 3 embeddings for 1 text",
        failure(Reply.vectors(new float[] {1}, new float[] {2}, new float[] {3}), "x").getMessage());
  }

  @Test
  void vectorsOfDifferentLengthsAreRefused() {
    assertEquals("Test AI returned embeddings of different lengths",
        failure(Reply.vectors(new float[] {1, 0}, new float[] {1}), "x", "y").getMessage());
  }

  @Test
  void refusesWithoutARequestWhenTheCallCannotBeMade() {
    ProviderException noKey = assertThrows(ProviderException.class, () -> provider.embed(
        new EmbeddingRequest("m", List.of("x"), Map.of("TEST_BASE_URL", server.baseUrl()))));
    assertEquals("TEST_API_KEY is not set: add it in the global settings or the agent's credentials",
        noKey.getMessage());
    ProviderException noModel = assertThrows(ProviderException.class, () -> provider.embed(
        new EmbeddingRequest(" ", List.of("x"), Map.of("TEST_API_KEY", KEY, "TEST_BASE_URL", server.baseUrl()))));
    assertEquals("no embedding model given for Test AI", noModel.getMessage());
    ProviderException tooMany = assertThrows(ProviderException.class,
        () -> provider.embed(request(Collections.nCopies(257, "x").toArray(String[]::new))));
    assertEquals("at most 256 texts can be embedded at once, not 257", tooMany.getMessage());
    assertTrue(server.requests().isEmpty());
  }

  @Test
  void aProviderThatDoesNotEmbedSaysSoWithoutARequest() {
    TestProvider chatOnly = new TestProvider(OpenAiCompatibleProviderTest.CONFIG, OpenAiCompatibleProviderTest.WAIT);
    try {
      ProviderException e = assertThrows(ProviderException.class, () -> chatOnly.embed(request("x")));
      assertEquals("the provider 'testai' does not embed text", e.getMessage());
      assertTrue(server.requests().isEmpty());
    } finally {
      chatOnly.stop();
    }
  }

  @Test
  void anUnreachableServerIsAClearFailure() {
    ProviderException e = assertThrows(ProviderException.class, () -> provider.embed(
        new EmbeddingRequest("m", List.of("x"), Map.of("TEST_API_KEY", KEY, "TEST_BASE_URL", "http://127.0.0.1:9/v1"))));
    assertTrue(e.getMessage().startsWith("cannot reach Test AI at http://127.0.0.1:9/v1: "), e.getMessage());
  }

  static double dot(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }
}
