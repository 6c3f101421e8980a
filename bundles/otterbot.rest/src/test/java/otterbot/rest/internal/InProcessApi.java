package otterbot.rest.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.concurrent.TimeUnit;

import org.glassfish.jersey.internal.MapPropertiesDelegate;
import org.glassfish.jersey.server.ApplicationHandler;
import org.glassfish.jersey.server.ContainerRequest;
import org.glassfish.jersey.server.ContainerResponse;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.spi.ContainerResponseWriter;

import com.fasterxml.jackson.databind.JsonNode;

import jakarta.ws.rs.core.SecurityContext;

/**
 * Our resources in a Jersey application of their own, with the JSON provider and the error mapper as the whiteboard
 * adds them, called without HTTP: each call goes through routing, body readers and writers and exception mapping, and
 * returns the status and the bytes a client would receive.
 */
final class InProcessApi {
  private static final URI BASE = URI.create("http://localhost/api/");

  /** Nobody is logged in: the API has no authentication (upstream-behaviour §16). */
  private static final SecurityContext ANONYMOUS = new SecurityContext() {
    @Override
    public Principal getUserPrincipal() {
      return null;
    }

    @Override
    public boolean isUserInRole(String role) {
      return false;
    }

    @Override
    public boolean isSecure() {
      return false;
    }

    @Override
    public String getAuthenticationScheme() {
      return null;
    }
  };

  private final ApplicationHandler handler;

  InProcessApi(Object... resources) {
    ResourceConfig config = new ResourceConfig();
    for (Object resource : resources) {
      config.register(resource);
    }
    config.register(new JsonProvider());
    config.register(new ErrorMapper());
    config.register(new JerseyProperties());
    handler = new ApplicationHandler(config);
  }

  /** What the client receives. */
  record Answer(int status, String contentType, String body) {
    JsonNode json() {
      try {
        return JsonProvider.MAPPER.readTree(body);
      } catch (Exception e) {
        throw new AssertionError("not JSON (" + status + "): " + body, e);
      }
    }

    @Override
    public String toString() {
      return status + " " + contentType + " " + body;
    }
  }

  Answer get(String path) {
    return call("GET", path, null, null);
  }

  /** As the public port forwards it: from a client that presented the token, or one that need not. */
  Answer getAuthorized(String path) {
    return call("GET", path, null, null, java.util.Map.of(HealthResource.AUTHORIZED, "true"));
  }

  Answer postJson(String path, String body) {
    return call("POST", path, "application/json", body);
  }

  Answer call(String method, String path, String contentType, String body) {
    return call(method, path, contentType, body, java.util.Map.of());
  }

  Answer call(String method, String path, String contentType, String body, java.util.Map<String, String> headers) {
    var request = new ContainerRequest(BASE, BASE.resolve(path), method, ANONYMOUS, new MapPropertiesDelegate(),
        handler.getConfiguration());
    if (contentType != null) {
      request.getHeaders().putSingle("Content-Type", contentType);
    }
    request.getHeaders().putSingle("Accept", "application/json");
    headers.forEach(request.getHeaders()::putSingle);
    request.setEntityStream(new ByteArrayInputStream(body == null ? new byte[0]
        : body.getBytes(StandardCharsets.UTF_8)));
    var writer = new Capture();
    request.setWriter(writer);
    handler.handle(request);
    return new Answer(writer.status, writer.contentType, writer.out.toString(StandardCharsets.UTF_8));
  }

  private static final class Capture implements ContainerResponseWriter {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    int status;
    String contentType;

    @Override
    public OutputStream writeResponseStatusAndHeaders(long contentLength, ContainerResponse response) {
      status = response.getStatus();
      contentType = response.getHeaderString("Content-Type");
      return out;
    }

    @Override
    public boolean suspend(long timeOut, TimeUnit timeUnit, TimeoutHandler timeoutHandler) {
      return false;
    }

    @Override
    public void setSuspendTimeout(long timeOut, TimeUnit timeUnit) {
      // never suspended
    }

    @Override
    public void commit() {
      // the bytes are in out
    }

    @Override
    public void failure(Throwable error) {
      throw new AssertionError("Jersey could not answer", error);
    }

    @Override
    public boolean enableResponseBuffering() {
      return false;
    }
  }
}
