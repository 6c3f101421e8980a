package otterbot.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.jakartars.runtime.JakartarsServiceRuntime;
import org.osgi.service.jakartars.runtime.dto.ResourceDTO;
import org.osgi.service.jakartars.runtime.dto.RuntimeDTO;
import org.osgi.service.servlet.runtime.HttpServiceRuntime;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

@Timeout(60)
class RestWhiteboardIT {
  private static final Set<String> RESOURCES = Set.of("otterbot.agents", "otterbot.setup", "otterbot.settings",
      "otterbot.health");

  @InjectBundleContext
  BundleContext context;

  @Test
  void theWhiteboardServesEveryResourceAndExtensionWithNoFailures(
      @InjectService(timeout = 20_000) JakartarsServiceRuntime runtime) {
    RuntimeDTO dto = Await.until("all OtterBot resources in the default application", Duration.ofSeconds(20), () -> {
      RuntimeDTO r = runtime.getRuntimeDTO();
      Set<String> names = Arrays.stream(r.defaultApplication.resourceDTOs).map(d -> d.name).collect(Collectors.toSet());
      return names.containsAll(RESOURCES) ? r : null;
    });
    assertEquals(0, dto.failedResourceDTOs.length, () -> "failed resources: "
        + Arrays.stream(dto.failedResourceDTOs).map(f -> f.name + " (reason " + f.failureReason + ")").toList());
    assertEquals(0, dto.failedExtensionDTOs.length, () -> "failed extensions: "
        + Arrays.stream(dto.failedExtensionDTOs).map(f -> f.name + " (reason " + f.failureReason + ")").toList());
    assertEquals(0, dto.failedApplicationDTOs.length, "failed applications");
    Set<String> extensions = Arrays.stream(dto.defaultApplication.extensionDTOs).map(d -> d.name).collect(Collectors.toSet());
    assertTrue(extensions.containsAll(Set.of("otterbot.json", "otterbot.errors")), "extensions: " + extensions);
    for (ResourceDTO r : dto.defaultApplication.resourceDTOs) {
      assertTrue(r.resourceMethods.length > 0, r.name + " has methods");
    }
  }

  /**
   * Jetty's own loopback port is reachable by any program, and by web pages through DNS rebinding; it has none of the
   * public port's checks, so it answers only requests that carry the front's key (otterbot.server's
   * InternalPortGuard), whatever servlet context they are for.
   */
  @Test
  void theInternalJettyRefusesEveryRequestThatDidNotComeThroughThePublicPort() throws Exception {
    String base = internalBase();
    String key = frontKey();
    Await.until("GET /api/agents through the front", Duration.ofSeconds(20), () -> {
      try {
        return Http.send("GET", publicBase() + "/api/agents", null).statusCode() == 200 ? true : null;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    String refused = "{\"error\":\"forbidden: use the public port\"}";
    for (String path : new String[] {"/api/agents", "/api/health", "/api/no-such-thing", "/assets/3d/x.glb", "/"}) {
      var none = Http.send("GET", base + path, null);
      assertEquals(403, none.statusCode(), path);
      assertEquals(refused, none.body(), path);
      assertTrue(none.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), path);
      var guessed = Http.send("GET", base + path, null, "X-Otterbot-Front", key.substring(1) + "A");
      assertEquals(403, guessed.statusCode(), path + " with a wrong key");
    }
    var created = Http.send("POST", base + "/api/agents", "{\"displayName\":\"Rebound\"}");
    assertEquals(403, created.statusCode(), created.body());
    assertFalse(Http.send("GET", base + "/api/agents", null, "X-Otterbot-Front", key).body().contains("Rebound"),
        "nothing was created");
    assertEquals(200, Http.send("GET", base + "/api/agents", null, "X-Otterbot-Front", key).statusCode(),
        "the front's key lets a request in");
  }

  @Test
  void theApiAnswersJsonOnTheInternalJettyAndThroughThePublicPort() throws Exception {
    String key = frontKey();
    for (String base : new String[] {internalBase(), publicBase()}) {
      var list = Await.until("GET /api/agents on " + base, Duration.ofSeconds(20), () -> {
        try {
          var r = Http.send("GET", base + "/api/agents", null, "X-Otterbot-Front", key);
          return r.statusCode() == 200 ? r : null;
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      assertTrue(list.body().startsWith("[{\"id\":\"coo\""), list.body());
      assertTrue(list.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));

      var bad = Http.send("POST", base + "/api/agents", "{\"displayName\":\"\"}", "X-Otterbot-Front", key);
      assertEquals(400, bad.statusCode());
      assertEquals("{\"error\":\"displayName is required\"}", bad.body());

      var unknown = Http.send("GET", base + "/api/no-such-thing", null, "X-Otterbot-Front", key);
      assertEquals(404, unknown.statusCode());
      assertEquals("{\"error\":\"not found\"}", unknown.body());

      var wrongMethod = Http.send("PUT", base + "/api/agents", "{}", "X-Otterbot-Front", key);
      assertEquals(405, wrongMethod.statusCode());
      assertTrue(wrongMethod.body().contains("\"error\""), wrongMethod.body());
    }
  }

  /**
   * Straight to Jetty, past the public port's own content-type rule: Jersey no longer lets a body without
   * Content-Type match {@code @Consumes(APPLICATION_JSON)} (otterbot.rest's JerseyProperties, a whiteboard feature).
   */
  @Test
  void withoutTheFrontABodyWithoutContentTypeIsStill415() throws Exception {
    String base = internalBase();
    String key = frontKey();
    // HTTP/1.1 only: Jetty here speaks nothing else, and a default client would first offer an h2c upgrade.
    var client = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
    var before = Await.until("GET /api/agents on " + base, Duration.ofSeconds(20), () -> {
      try {
        var r = Http.send("GET", base + "/api/agents", null, "X-Otterbot-Front", key);
        return r.statusCode() == 200 ? r.body() : null;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    for (String path : new String[] {"/api/agents", "/api/test-model", "/api/agents/coo/scheduled-tasks"}) {
      var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + path))
          .header("X-Otterbot-Front", key)
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
              "{\"displayName\":\"Sneaky\",\"provider\":\"builtin\",\"modelId\":\"x\",\"cron\":\"* * * * *\",\"prompt\":\"p\"}"))
          .build();
      // The internal Jetty sometimes closes a fresh connection unanswered right after earlier tests installed and
      // refreshed bundles (seen once in ~10 runs: "header parser received no bytes"); what is tested here is the
      // answer to a request that gets one, so a dropped connection is tried again, twice at most.
      java.net.http.HttpResponse<String> response = null;
      for (int attempt = 1; response == null; attempt++) {
        try {
          response = client.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
          if (attempt == 3) {
            throw e;
          }
          Thread.sleep(200);
        }
      }
      assertEquals(415, response.statusCode(), path + ": " + response.body());
      assertEquals("{\"error\":\"unsupported media type: send application/json\"}", response.body());
    }
    assertEquals(before, Http.send("GET", base + "/api/agents", null, "X-Otterbot-Front", key).body(),
        "nothing was created");
  }

  /** The key the front sends to Jetty, from the server bundle's private InternalPortGuard component. */
  private String frontKey() throws Exception {
    return (String) fromPrivateComponent("the front's key", "otterbot.server.internal.InternalPortGuard", "key");
  }

  private String internalBase() throws Exception {
    ServiceReference<HttpServiceRuntime> ref = Await.until("HttpServiceRuntime", Duration.ofSeconds(20),
        () -> context.getServiceReference(HttpServiceRuntime.class));
    Object endpoint = ref.getProperty("osgi.http.endpoint");
    String url = endpoint instanceof String[] a ? a[0] : String.valueOf(endpoint);
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  /**
   * The public port's URL (bound to a free port here), from the server bundle's private PublicPort component: health
   * no longer tells URLs or ports.
   */
  private String publicBase() throws Exception {
    Object running = fromPrivateComponent("the public port", "otterbot.server.internal.PublicPort", "front");
    return running.getClass().getMethod("url").invoke(running).toString();
  }

  /**
   * What {@code method} (package-private, no arguments) of the server bundle's private component {@code type} returns,
   * once that component is registered.
   */
  private Object fromPrivateComponent(String what, String type, String method) throws Exception {
    return Await.until(what, Duration.ofSeconds(20), () -> {
      try {
        ServiceReference<?>[] refs = context.getServiceReferences(type, null);
        if (refs == null) {
          return null;
        }
        Object component = context.getService(refs[0]);
        try {
          java.lang.reflect.Method getter = component.getClass().getDeclaredMethod(method);
          getter.setAccessible(true);
          return getter.invoke(component);
        } finally {
          context.ungetService(refs[0]);
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }
}
