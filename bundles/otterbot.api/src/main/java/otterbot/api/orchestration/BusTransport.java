package otterbot.api.orchestration;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard: every registered transport sees each message after it is stored, in seq order. The Socket.IO adapter
 * broadcasts them as {@code bus:message}; a bridge bundle can relay them elsewhere and publish what comes back through
 * {@link MessageBus#publish}. Called by one thread at a time, one message at a time, before the message's publisher
 * returns: the publishing thread, or the bus's writer when several publish at once; return quickly (publishers wait for
 * it) and never throw.
 */
@ConsumerType
public interface BusTransport {
  /** A short id for logs, for example {@code socket.io}. */
  String id();

  void send(AgentMessage message);
}
