package otterbot.rest.internal;

import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.jakartars.whiteboard.propertytypes.JSONRequired;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsName;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import otterbot.api.OtterbotException;
import otterbot.api.orchestration.AgentMessage;
import otterbot.api.orchestration.MessageBus;

/**
 * {@code GET /api/bus/messages?limit=N}: upstream-behaviour §4.8, the last N bus messages, oldest first.
 *
 * <p>The bus comes from the core; until it is registered the route answers 503, so the reference is optional and
 * dynamic (greedy: a restarted core's bus replaces the old one without a gap).
 */
@Component(service = BusResource.class)
@JakartarsResource
@JakartarsName("otterbot.bus")
@JSONRequired
@Path("bus/messages")
@Produces(MediaType.APPLICATION_JSON)
public final class BusResource {
  static final String UNAVAILABLE = "the message bus is not available yet";
  static final int DEFAULT_LIMIT = 200;
  static final String BAD_LIMIT = "limit must be a whole number from 0 upwards (at most "
      + MessageBus.MAX_HISTORY + " messages are returned)";

  /** ASCII digits only: no sign, no decimal point, no exponent, no other scripts' digits. */
  private static final Pattern WHOLE_NUMBER = Pattern.compile("[0-9]+");

  private volatile MessageBus bus;

  public BusResource() {
    // for DS; the bus arrives through setBus
  }

  @Reference(
      cardinality = ReferenceCardinality.OPTIONAL,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  synchronized void setBus(MessageBus bus) {
    this.bus = bus;
  }

  /** With a greedy reference the replacement is bound before the old one goes: forget only our own. */
  synchronized void unsetBus(MessageBus gone) {
    if (bus == gone) {
      bus = null;
    }
  }

  /**
   * One bus message as upstream sends it (§6.3), in its field order; {@code payload} and {@code status} are left out
   * when null, every other null is sent as null.
   */
  @JsonPropertyOrder({"id", "seq", "kind", "from", "to", "threadId", "correlationId", "rootSpawnId", "body", "payload",
      "status", "transport", "createdAt"})
  record Message(String id, long seq, String kind, String from, String to, String threadId, String correlationId,
      String rootSpawnId, String body, @JsonInclude(JsonInclude.Include.NON_NULL) Object payload,
      @JsonInclude(JsonInclude.Include.NON_NULL) String status, String transport, Instant createdAt) {

    static Message of(AgentMessage m) {
      return new Message(m.id(), m.seq(), m.kind(), m.from(), m.to(), m.threadId(), m.correlationId(),
          m.rootSpawnId(), m.body(), m.payload(), m.status(), m.transport(), m.createdAt());
    }
  }

  /**
   * The limit is taken as text so that a bad one is our 400, not Jersey's 404 for an unconvertible parameter. Upstream
   * passed it through JavaScript's {@code Number()}, where a negative value meant "no limit" and text gave NaN; here
   * both are refused. A limit above {@link MessageBus#MAX_HISTORY} is not an error: it is capped, because asking for
   * "everything" with a big number is a reasonable request and the bus never returns more than that anyway.
   */
  @GET
  public List<Message> history(@QueryParam("limit") String limit) {
    int count = limit(limit);
    MessageBus service = bus;
    if (service == null) {
      throw OtterbotException.unavailable(UNAVAILABLE, null);
    }
    return service.history(count).stream().map(Message::of).toList();
  }

  static int limit(String text) {
    if (text == null) {
      return DEFAULT_LIMIT;
    }
    if (!WHOLE_NUMBER.matcher(text).matches()) {
      throw OtterbotException.invalid(BAD_LIMIT);
    }
    // Digits beyond what an int holds are still "a big number": capped like any other.
    String digits = text.replaceFirst("^0+(?=.)", "");
    if (digits.length() > 9) {
      return MessageBus.MAX_HISTORY;
    }
    return Math.min(Integer.parseInt(digits), MessageBus.MAX_HISTORY);
  }
}
