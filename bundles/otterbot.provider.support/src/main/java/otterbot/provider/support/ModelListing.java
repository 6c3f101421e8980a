package otterbot.provider.support;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import otterbot.api.provider.ProviderException;

/** {@code GET <base>/models}, in the {@code {"data":[{"id":...}]}} shape OpenAI, Anthropic and local servers share. */
public final class ModelListing {
  private ModelListing() {}

  /**
   * The ids the provider lists, in its order.
   *
   * @throws ProviderException {@code provider returned <status> <reason>} for a non-2xx answer, or a message saying
   *     the provider could not be reached or answered something else
   */
  public static List<String> fetch(ProviderRuntime runtime, HttpRequest request, Failures failures)
      throws ProviderException {
    HttpResponse<String> response = runtime.fetch(request, failures);
    if (response.statusCode() / 100 != 2) {
      throw new ProviderException(failures.status(response.statusCode(), response.headers(), response.body()));
    }
    JsonNode body = Json.parseOrNull(response.body());
    JsonNode data = body == null ? null : body.get("data");
    if (data == null || !data.isArray()) {
      throw new ProviderException(failures.notAModelList());
    }
    List<String> ids = new ArrayList<>();
    for (JsonNode model : data) {
      String id = model.path("id").textValue();
      if (id != null) {
        ids.add(id);
      }
    }
    return ids;
  }
}
