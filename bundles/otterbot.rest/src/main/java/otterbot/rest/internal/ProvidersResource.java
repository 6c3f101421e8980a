package otterbot.rest.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.jakartars.whiteboard.propertytypes.JSONRequired;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsName;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

import com.fasterxml.jackson.annotation.JsonInclude;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import otterbot.api.OtterbotException;
import otterbot.api.provider.ModelService;
import otterbot.api.provider.ProviderException;
import otterbot.api.provider.ProviderInfo;

/**
 * {@code /api/providers}, {@code /api/provider-models} and {@code /api/test-model}: upstream-behaviour §4.2 and §11.4.
 *
 * <p>The two POST routes answer every problem in upstream's {@code {"ok": false, "error": ...}} shape: a provider's
 * failure with 200, bad input (missing fields, malformed JSON, wrong types) with 400. Their bodies are
 * bound by the JSON provider like every other route's; {@link UpstreamErrorShape} tells the {@link ErrorMapper} to
 * answer a binding failure in their shape. Messages never quote the body, which carries secrets.
 *
 * <p>The model service comes from the core and may arrive after this resource is served, or go while the core
 * restarts; meanwhile every route answers 503, so the reference is optional and dynamic and the whole API does not
 * wait for it.
 */
@Component(service = ProvidersResource.class)
@JakartarsResource
@JakartarsName("otterbot.providers")
@JSONRequired
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public final class ProvidersResource {
  static final String UNAVAILABLE = "the model service is not available yet";

  private volatile ModelService models;

  public ProvidersResource() {
    // for DS; the service arrives through setModels
  }

  // Greedy: a restarted core's service replaces the old one without a gap.
  @Reference(
      cardinality = ReferenceCardinality.OPTIONAL,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  synchronized void setModels(ModelService models) {
    this.models = models;
  }

  /** With a greedy reference the replacement is bound before the old one goes: forget only our own. */
  synchronized void unsetModels(ModelService gone) {
    if (models == gone) {
      models = null;
    }
  }

  /** Upstream's reference fields, then the later catalogue's, each present only when it has a value. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record ProviderEntry(String id, String label, boolean needsApiKey, String apiKeyName, boolean supportsEmbeddings,
      boolean supportsChat, String apiKeyEnv, String baseUrlEnv, String defaultBaseUrl) {

    static ProviderEntry of(ProviderInfo p) {
      return new ProviderEntry(p.id(), p.label(), p.needsApiKey(), p.needsApiKey() ? p.apiKeyEnv() : null,
          p.supportsEmbeddings(), p.supportsChat(), p.apiKeyEnv(), p.baseUrlEnv(), p.defaultBaseUrl());
    }
  }

  @GET
  @Path("providers")
  public List<ProviderEntry> providers() {
    List<ProviderEntry> entries = new ArrayList<>();
    for (ProviderInfo info : service().providers()) {
      entries.add(ProviderEntry.of(info));
    }
    return entries;
  }

  /** The body of {@code /api/provider-models}; unknown fields are ignored like everywhere else. */
  record ModelsRequest(String provider, Map<String, String> secrets) {}

  /** The body of {@code /api/test-model}. */
  record TestRequest(String provider, String modelId, Map<String, String> secrets) {}

  @POST
  @Path("provider-models")
  @Consumes(MediaType.APPLICATION_JSON)
  @UpstreamErrorShape
  public Response listModels(ModelsRequest body) {
    ModelsRequest request = body == null ? new ModelsRequest(null, null) : body; // no body, or null: no fields
    Map<String, String> secrets;
    try {
      secrets = secrets(request.secrets());
    } catch (BadInput e) {
      return notOk(400, e.getMessage());
    }
    if (blank(request.provider())) {
      return notOk(400, "provider is required");
    }
    ModelService service = service();
    try {
      return ok("models", service.listModels(request.provider(), secrets));
    } catch (ProviderException e) {
      return notOk(200, message(e));
    }
  }

  @POST
  @Path("test-model")
  @Consumes(MediaType.APPLICATION_JSON)
  @UpstreamErrorShape
  public Response testModel(TestRequest body) {
    TestRequest request = body == null ? new TestRequest(null, null, null) : body;
    Map<String, String> secrets;
    try {
      secrets = secrets(request.secrets());
    } catch (BadInput e) {
      return notOk(400, e.getMessage());
    }
    if (blank(request.provider()) || blank(request.modelId())) {
      return notOk(400, "provider and modelId are required");
    }
    ModelService service = service();
    try {
      return ok("sample", service.testModel(request.provider(), request.modelId(), secrets));
    } catch (ProviderException e) {
      return notOk(200, message(e));
    }
  }

  private ModelService service() {
    ModelService service = models;
    if (service == null) {
      throw OtterbotException.unavailable(UNAVAILABLE, null);
    }
    return service;
  }

  /** Input that breaks a rule; the message names the field, never a value. */
  static final class BadInput extends Exception {
    private static final long serialVersionUID = 1L;

    BadInput(String message) {
      super(message, null, false, false);
    }
  }

  /** The secrets to lay over the global ones: none when absent; a null value is a wrong type, not an absent key. */
  private static Map<String, String> secrets(Map<String, String> secrets) throws BadInput {
    if (secrets == null) {
      return Map.of();
    }
    for (Map.Entry<String, String> entry : secrets.entrySet()) {
      if (entry.getValue() == null) {
        throw new BadInput("field 'secrets." + entry.getKey() + "' has the wrong type (expected string)");
      }
    }
    return Map.copyOf(secrets);
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }

  private static String message(ProviderException e) {
    return e.getMessage() == null || e.getMessage().isBlank() ? "the provider failed" : e.getMessage();
  }

  private static Response ok(String field, Object value) {
    var body = new LinkedHashMap<String, Object>();
    body.put("ok", true);
    body.put(field, value);
    return Response.ok(body, MediaType.APPLICATION_JSON_TYPE).build();
  }

  private static Response notOk(int status, String error) {
    var body = new LinkedHashMap<String, Object>();
    body.put("ok", false);
    body.put("error", error);
    return Response.status(status).entity(body).type(MediaType.APPLICATION_JSON_TYPE).build();
  }
}
