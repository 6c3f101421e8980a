package otterbot.persistence.jpa.internal;

import java.time.LocalDateTime;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Lob;
import jakarta.persistence.Table;

/**
 * One bus message. {@code seq} is the key and is assigned by {@link JpaBusStore} as max + 1 while appends are serialised, not
 * by an IDENTITY column: a sequence hands out numbers at insert time, so with two publishers a reader could see 12
 * committed before 11 (a gap that fills later) and a rolled-back insert would leave a hole for ever.
 */
@Entity(name = "BusMessageEntity")
@Table(name = "bus_messages")
class BusMessageEntity {
  static final int ID_LENGTH = 64;
  static final int KIND_LENGTH = 32;
  /** Thread ids are the bus's own ids or a subagent task's; conversations allow 200, so do we. */
  static final int THREAD_LENGTH = 200;
  static final int STATUS_LENGTH = 32;
  static final int TRANSPORT_LENGTH = 64;

  @Id
  @Column(name = "seq")
  private long seq;

  @Column(name = "id", nullable = false, unique = true, length = ID_LENGTH)
  private String id;

  @Column(name = "kind", nullable = false, length = KIND_LENGTH)
  private String kind;

  /** Not {@code from}/{@code to}: both are SQL keywords. */
  @Column(name = "from_agent", nullable = false, length = JpaConversationStore.MAX_AGENT_ID_LENGTH)
  private String from;

  @Column(name = "to_agent", length = JpaConversationStore.MAX_AGENT_ID_LENGTH)
  private String to;

  @Column(name = "thread_id", nullable = false, length = THREAD_LENGTH)
  private String threadId;

  @Column(name = "correlation_id", length = ID_LENGTH)
  private String correlationId;

  @Column(name = "root_spawn_id", length = ID_LENGTH)
  private String rootSpawnId;

  /** A model's whole answer can travel as a body: no length limit of ours (see {@link MessageEntity#content}). */
  @Lob
  @Column(name = "body", nullable = false)
  private String body;

  /** The payload as JSON text; null when the message has none. */
  @Lob
  @Column(name = "payload_json")
  private String payloadJson;

  @Column(name = "status", length = STATUS_LENGTH)
  private String status;

  @Column(name = "transport", nullable = false, length = TRANSPORT_LENGTH)
  private String transport;

  @Column(name = "created_at", nullable = false)
  private LocalDateTime createdAt;

  protected BusMessageEntity() {
    // for EclipseLink
  }

  BusMessageEntity(long seq, String id, String kind, String from, String to, String threadId, String correlationId,
      String rootSpawnId, String body, String payloadJson, String status, String transport, LocalDateTime createdAt) {
    this.seq = seq;
    this.id = id;
    this.kind = kind;
    this.from = from;
    this.to = to;
    this.threadId = threadId;
    this.correlationId = correlationId;
    this.rootSpawnId = rootSpawnId;
    this.body = body;
    this.payloadJson = payloadJson;
    this.status = status;
    this.transport = transport;
    this.createdAt = createdAt;
  }

  long seq() {
    return seq;
  }

  String id() {
    return id;
  }

  String kind() {
    return kind;
  }

  String from() {
    return from;
  }

  String to() {
    return to;
  }

  String threadId() {
    return threadId;
  }

  String correlationId() {
    return correlationId;
  }

  String rootSpawnId() {
    return rootSpawnId;
  }

  String body() {
    return body;
  }

  String payloadJson() {
    return payloadJson;
  }

  String status() {
    return status;
  }

  String transport() {
    return transport;
  }

  LocalDateTime createdAt() {
    return createdAt;
  }
}
