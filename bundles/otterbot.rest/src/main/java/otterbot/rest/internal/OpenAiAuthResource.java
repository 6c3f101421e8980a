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
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import otterbot.api.OtterbotException;
import otterbot.api.auth.ChatGptSignIn;
import otterbot.api.auth.SignInStatus;

/**
 * {@code /api/auth/openai/*}: the instance's ChatGPT sign-in (upstream-behaviour §4.10, §14). The tokens never leave
 * the {@link ChatGptSignIn} service; these routes see only its status.
 *
 * <ul>
 *   <li>{@code GET status}: {@code {connected, accountId, expiresAt, pending, lastError}}; without the service
 *       upstream's disconnected shape.
 *   <li>{@code POST login}: {@code {authUrl}}; 409 when the callback port is taken; 503 without the service.
 *   <li>{@code POST complete {url}}: {@code {ok:true, status}}, or {@code 400 {ok:false, error}} for anything the
 *       sign-in refuses (upstream answers every failure 400); 503 without the service.
 *   <li>{@code POST signout}: {@code {ok:true}}.
 * </ul>
 *
 * <p>The service comes with the OpenAI provider bundle and may come and go with it, so the reference is optional
 * and dynamic.
 */
@Component(service = OpenAiAuthResource.class)
@JakartarsResource
@JakartarsName("otterbot.auth-openai")
@JSONRequired
@Path("auth/openai")
@Produces(MediaType.APPLICATION_JSON)
public final class OpenAiAuthResource {
  static final String UNAVAILABLE = "ChatGPT sign-in is not available (the OpenAI provider bundle is not running)";
  /** A pasted redirect URL is well under 2 KiB; 8 KiB leaves room without inviting abuse. */
  static final int MAX_URL = 8 * 1024;

  private volatile ChatGptSignIn signIn;

  public OpenAiAuthResource() {
    // for DS; the service arrives through setSignIn
  }

  @Reference(
      cardinality = ReferenceCardinality.OPTIONAL,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  synchronized void setSignIn(ChatGptSignIn signIn) {
    this.signIn = signIn;
  }

  /** With a greedy reference the replacement is bound before the old one goes: forget only our own. */
  synchronized void unsetSignIn(ChatGptSignIn gone) {
    if (signIn == gone) {
      signIn = null;
    }
  }

  @GET
  @Path("status")
  public Map<String, Object> status() {
    ChatGptSignIn service = signIn;
    return status(service == null ? SignInStatus.DISCONNECTED : service.status());
  }

  @POST
  @Path("login")
  public Map<String, Object> login() {
    return Map.of("authUrl", service().beginLogin());
  }

  /** The body of {@code complete}: {@code url} read as a node, so a number is told from a string. */
  record CompleteRequest(JsonNode url) {}

  @POST
  @Path("complete")
  @Consumes(MediaType.APPLICATION_JSON)
  @UpstreamErrorShape
  public Response complete(CompleteRequest body) {
    JsonNode url = body == null ? null : body.url();
    if (url == null || url.isNull() || url.isMissingNode()) {
      return notOk("field 'url' is required");
    }
    if (!url.isTextual()) {
      return notOk("field 'url' has the wrong type (expected string)");
    }
    if (url.textValue().length() > MAX_URL) {
      return notOk("field 'url' is longer than " + MAX_URL + " characters");
    }
    ChatGptSignIn service = service();
    try {
      SignInStatus status = service.complete(url.textValue());
      var ok = new LinkedHashMap<String, Object>();
      ok.put("ok", true);
      ok.put("status", status(status));
      return Response.ok(ok, MediaType.APPLICATION_JSON_TYPE).build();
    } catch (OtterbotException e) {
      // Upstream answers every failed completion 400 {ok:false}: a wrong paste, a refused or unreachable exchange.
      return notOk(e.getMessage());
    }
  }

  @POST
  @Path("signout")
  public Map<String, Object> signOut() {
    service().signOut();
    return Map.of("ok", true);
  }

  private ChatGptSignIn service() {
    ChatGptSignIn service = signIn;
    if (service == null) {
      throw OtterbotException.unavailable(UNAVAILABLE, null);
    }
    return service;
  }

  /** Upstream's fields, then ours; null values are written as null, as upstream does. */
  static Map<String, Object> status(SignInStatus status) {
    var body = new LinkedHashMap<String, Object>();
    body.put("connected", status.connected());
    body.put("accountId", status.accountId());
    body.put("expiresAt", status.expiresAt());
    body.put("pending", status.pending());
    body.put("lastError", status.lastError());
    return body;
  }

  private static Response notOk(String error) {
    var body = new LinkedHashMap<String, Object>();
    body.put("ok", false);
    body.put("error", error);
    return Response.status(400).entity(body).type(MediaType.APPLICATION_JSON_TYPE).build();
  }
}
