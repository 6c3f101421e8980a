package otterbot.provider.support;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import otterbot.api.provider.ProviderException;

/**
 * OpenAI's embeddings call: {@code POST <base>/embeddings} with {@code {"model":...,"input":[...]}}, answered by
 * {@code {"data":[{"index":i,"embedding":[...]}]}}. OpenAI, Ollama, LM Studio, llama.cpp and vLLM all speak it.
 */
public final class Embeddings {
  /** Most texts in one request: a bound on the request and on the answer (OpenAI itself takes up to 2,048). */
  public static final int MAX_TEXTS = 256;
  /** A local server embedding many texts on a CPU can take a while; still, not forever. */
  static final Duration TIMEOUT = Duration.ofSeconds(120);

  private Embeddings() {}

  /** The request body. */
  public static byte[] body(String modelId, List<String> texts) {
    ObjectNode body = Json.MAPPER.createObjectNode().put("model", modelId);
    ArrayNode input = body.putArray("input");
    texts.forEach(input::add);
    return Json.bytes(body);
  }

  /**
   * Sends the request and reads one vector per text, ordered by the answer's {@code index}.
   *
   * @param expected how many texts were sent
   * @throws ProviderException {@code provider returned <status> <reason>} for a non-2xx answer, or a message saying
   *     the provider could not be reached or did not answer with {@code expected} vectors of one length
   */
  public static float[][] fetch(ProviderRuntime runtime, HttpRequest request, int expected, Failures failures)
      throws ProviderException {
    HttpResponse<String> response = runtime.fetch(request, failures, TIMEOUT);
    if (response.statusCode() / 100 != 2) {
      throw new ProviderException(failures.status(response.statusCode(), response.headers(), response.body()));
    }
    JsonNode body = Json.parseOrNull(response.body());
    JsonNode data = body == null ? null : body.get("data");
    if (data == null || !data.isArray()) {
      throw new ProviderException(failures.notEmbeddings());
    }
    if (data.size() != expected) {
      throw new ProviderException(failures.wrongEmbeddingCount(data.size(), expected));
    }
    float[][] vectors = new float[expected][];
    int position = 0;
    int length = -1;
    for (JsonNode item : data) {
      // Servers send the items in order, but only the index says which text a vector belongs to.
      JsonNode index = item.get("index");
      int slot = index == null ? position : index.canConvertToInt() && index.isIntegralNumber() ? index.intValue() : -1;
      JsonNode embedding = item.get("embedding");
      if (slot < 0 || slot >= expected || vectors[slot] != null || embedding == null || !embedding.isArray()
          || embedding.isEmpty()) {
        throw new ProviderException(failures.notEmbeddings());
      }
      float[] vector = new float[embedding.size()];
      for (int i = 0; i < vector.length; i++) {
        JsonNode value = embedding.get(i);
        if (!value.isNumber()) {
          throw new ProviderException(failures.notEmbeddings());
        }
        vector[i] = value.floatValue();
      }
      if (length >= 0 && length != vector.length) {
        throw new ProviderException(failures.mixedEmbeddingLengths());
      }
      length = vector.length;
      vectors[slot] = vector;
      position++;
    }
    return vectors;
  }
}
