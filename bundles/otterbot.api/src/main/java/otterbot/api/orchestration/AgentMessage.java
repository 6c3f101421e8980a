package otterbot.api.orchestration;

import java.time.Instant;

/**
 * One bus message (upstream-behaviour §6.3), in upstream's field order. {@code payload} and {@code status} are left
 * out of the JSON when null.
 *
 * @param id a unique id, assigned by the bus when a draft has none
 * @param seq the bus's sequence number, strictly increasing in publication order; assigned when the message is stored
 * @param kind one of the constants of this record
 * @param to the addressed agent, or null for a broadcast
 * @param threadId groups the messages of one exchange (a request, its response, a subagent task)
 * @param correlationId for a response: the id of the request it answers, else null
 * @param rootSpawnId the subagent task the message belongs to, else null
 * @param payload structured data, or null
 * @param status an agent status this message reports, or null
 * @param transport where the message came from ({@code local} for this server)
 * @param createdAt when it was stored
 */
public record AgentMessage(
    String id,
    long seq,
    String kind,
    String from,
    String to,
    String threadId,
    String correlationId,
    String rootSpawnId,
    String body,
    Object payload,
    String status,
    String transport,
    Instant createdAt) {

  public static final String REQUEST = "request";
  public static final String RESPONSE = "response";
  public static final String BROADCAST = "broadcast";
  public static final String SPAWN = "spawn";
  public static final String REPORT = "report";
  public static final String STATUS = "status";
  public static final String TOOL = "tool";
  public static final String ERROR = "error";

  /** The transport of messages that originate in this server. */
  public static final String LOCAL = "local";

  /** A message to publish: the bus fills in id, seq, transport and createdAt. */
  public static AgentMessage draft(String kind, String from, String to, String threadId, String correlationId,
      String rootSpawnId, String body) {
    return new AgentMessage(null, 0, kind, from, to, threadId, correlationId, rootSpawnId, body, null, null, LOCAL,
        null);
  }

  /** This message with a payload. */
  public AgentMessage withPayload(Object value) {
    return new AgentMessage(id, seq, kind, from, to, threadId, correlationId, rootSpawnId, body, value, status,
        transport, createdAt);
  }
}
