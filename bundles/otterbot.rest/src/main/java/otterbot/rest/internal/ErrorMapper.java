package otterbot.rest.internal;

import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.jakartars.whiteboard.propertytypes.JSONRequired;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsExtension;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import otterbot.api.OtterbotException;

/**
 * The one error shape of the API, {@code {"error": "<message>"}}, for every failure: our own
 * {@link OtterbotException}s by kind, JSON problems as 400 naming the field (never quoting the body, which may hold a
 * secret), Jakarta REST's own 404/405/406/415 with their status, and anything unexpected as a logged 500 that tells
 * the client nothing internal. Client errors are logged at debug, server errors at error. Routes marked
 * {@link UpstreamErrorShape} get their 400s as upstream's {@code {"ok": false, "error": ...}}.
 */
@Component(service = ExceptionMapper.class)
@JakartarsExtension
@JakartarsName("otterbot.errors")
@JSONRequired
public final class ErrorMapper implements ExceptionMapper<Throwable> {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);

  /** The route that failed, if routing got that far (a proxy: Jersey injects it once, it resolves per request). */
  @Context
  private ResourceInfo resource;

  @Override
  public Response toResponse(Throwable failure) {
    Response.ResponseBuilder answer = answer(failure);
    Response response = answer.type(MediaType.APPLICATION_JSON_TYPE).build();
    if (response.getStatus() == 400 && upstreamShape() && response.getEntity() instanceof Map<?, ?> body) {
      var notOk = new LinkedHashMap<String, Object>();
      notOk.put("ok", false);
      notOk.put("error", body.get("error"));
      return Response.status(400).entity(notOk).type(MediaType.APPLICATION_JSON_TYPE).build();
    }
    return response;
  }

  private boolean upstreamShape() {
    try {
      Method method = resource == null ? null : resource.getResourceMethod();
      return method != null && method.isAnnotationPresent(UpstreamErrorShape.class);
    } catch (RuntimeException outsideARequest) {
      return false;
    }
  }

  static Response.ResponseBuilder answer(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof OtterbotException e) {
        int status = switch (e.kind()) {
          case INVALID -> 400;
          case NOT_FOUND -> 404;
          case CONFLICT -> 409;
          case UNAVAILABLE -> 503;
        };
        if (status == 503) {
          LOG.warn("Request failed: {}", e.getMessage(), e.getCause());
        } else {
          LOG.debug("Request rejected: {}", quote(e.getMessage()));
        }
        return error(status, e.getMessage());
      }
      if (t instanceof JsonProcessingException e) {
        // Not Jackson's own message: it quotes the offending token, which may be a secret.
        LOG.debug("Bad JSON: {}", quote(describe(e)));
        return error(400, describe(e));
      }
    }
    if (failure instanceof WebApplicationException e) {
      Response r = e.getResponse();
      int status = r.getStatus();
      if (status >= 500) {
        LOG.error("Request failed", failure);
        return error(status, "internal error");
      }
      var builder = error(status, message(e, status));
      if (e instanceof NotAllowedException && r.getHeaderString("Allow") != null) {
        builder.header("Allow", r.getHeaderString("Allow"));
      }
      return builder;
    }
    LOG.error("Unexpected failure while answering a request", failure);
    return error(500, "internal error");
  }

  private static String message(WebApplicationException e, int status) {
    if (e instanceof NotAllowedException) {
      return "method not allowed";
    }
    if (e instanceof NotSupportedException) {
      return "unsupported media type: send application/json";
    }
    if (e instanceof NotAcceptableException) {
      return "not acceptable: this API answers application/json";
    }
    if (status == 404) {
      return "not found";
    }
    Response.StatusType type = Response.Status.fromStatusCode(status);
    return type == null ? "request failed" : type.getReasonPhrase().toLowerCase(Locale.ROOT);
  }

  /** Says what is wrong and where, without echoing any value from the request. */
  static String describe(JsonProcessingException e) {
    if (e instanceof InvalidFormatException || e instanceof MismatchedInputException) {
      JsonMappingException m = (JsonMappingException) e;
      String path = path(m);
      Class<?> target = e instanceof MismatchedInputException mi ? mi.getTargetType() : null;
      String expected = target == null ? "" : " (expected " + typeName(target) + ")";
      return path.isEmpty() ? "the request body must be a JSON object" + expected
          : "field '" + path + "' has the wrong type" + expected;
    }
    if (e instanceof StreamConstraintsException) {
      return "the request body exceeds a JSON size limit";
    }
    var loc = e.getLocation();
    return loc == null ? "malformed JSON"
        : "malformed JSON at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
  }

  private static String path(JsonMappingException e) {
    var sb = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  private static String typeName(Class<?> type) {
    if (type == String.class) {
      return "string";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "boolean";
    }
    if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
      return "number";
    }
    if (java.util.Collection.class.isAssignableFrom(type)) {
      return "array";
    }
    if (type == java.time.Instant.class) {
      return "ISO-8601 timestamp";
    }
    return "object";
  }

  /**
   * Client input made safe for a log line: quoted, control characters and non-ASCII escaped, at most 100 characters,
   * so a request cannot forge log lines or flood them.
   */
  static String quote(String input) {
    if (input == null) {
      return "null";
    }
    var out = new StringBuilder(Math.min(input.length(), 100) + 8).append('\'');
    for (int i = 0; i < input.length() && i < 100; i++) {
      char c = input.charAt(i);
      if (c < 0x20 || c > 0x7e || c == '\'' || c == '\\') {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append(input.length() > 100 ? "'..." : "'").toString();
  }

  static Response.ResponseBuilder error(int status, String message) {
    return Response.status(status).entity(Map.of("error", message));
  }
}
