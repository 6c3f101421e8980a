package otterbot.rest.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.jakartars.whiteboard.propertytypes.JSONRequired;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsName;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

import com.fasterxml.jackson.databind.JsonNode;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import otterbot.api.OtterbotException;
import otterbot.api.credentials.CredentialService;

/**
 * {@code POST /api/agents/:id/credentials}: upstream-behaviour §4.6. The body, a flat object of names to secrets,
 * replaces the agent's whole set. Write-only: nothing here returns, logs or quotes a value; a message about the body
 * names the key at most.
 *
 * <p>The credential service comes from the core; until it is registered (or while the core restarts) the route
 * answers 503, so the reference is optional and dynamic.
 */
@Component(service = CredentialsResource.class)
@JakartarsResource
@JakartarsName("otterbot.credentials")
@JSONRequired
@Path("agents/{id}/credentials")
@Produces(MediaType.APPLICATION_JSON)
public final class CredentialsResource {
  static final String UNAVAILABLE = "the credential service is not available yet";

  private volatile CredentialService credentials;

  public CredentialsResource() {
    // for DS; the service arrives through setCredentials
  }

  @Reference(
      cardinality = ReferenceCardinality.OPTIONAL,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  synchronized void setCredentials(CredentialService credentials) {
    this.credentials = credentials;
  }

  /** With a greedy reference the replacement is bound before the old one goes: forget only our own. */
  synchronized void unsetCredentials(CredentialService gone) {
    if (credentials == gone) {
      credentials = null;
    }
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  public Map<String, Object> replace(@PathParam("id") String agentId, JsonNode body) {
    Map<String, String> secrets = parse(body);
    CredentialService service = credentials;
    if (service == null) {
      throw OtterbotException.unavailable(UNAVAILABLE, null);
    }
    try {
      service.replace(agentId, secrets);
    } catch (OtterbotException e) {
      if (e.kind() == OtterbotException.Kind.NOT_FOUND) {
        // The only thing this route can miss is the agent; upstream's body for it is exactly this.
        throw OtterbotException.notFound("not found");
      }
      throw e;
    }
    return Map.of("ok", true);
  }

  /** The body as names to values, keeping the client's order; 400 naming the key for anything but strings. */
  static Map<String, String> parse(JsonNode tree) {
    // No body and a JSON null both arrive as null.
    if (tree == null || !tree.isObject()) {
      throw OtterbotException.invalid("the request body must be a JSON object of names to secret values");
    }
    Map<String, String> secrets = new LinkedHashMap<>();
    for (var fields = tree.fields(); fields.hasNext();) {
      var field = fields.next();
      if (!field.getValue().isTextual()) {
        throw OtterbotException.invalid("the value of '" + field.getKey() + "' must be a string");
      }
      secrets.put(field.getKey(), field.getValue().textValue());
    }
    return secrets;
  }
}
