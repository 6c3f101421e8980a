package otterbot.server.internal.chat;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The per-connection chat bounds, in {@code <home>/etc/otterbot.chat.socket.cfg}. A PID of its own, not the core's
 * {@code otterbot.chat}: ConfigAdmin binds a configuration to the first bundle that uses it.
 */
@ObjectClassDefinition(id = SocketChatConfiguration.PID, name = "OtterBot Socket.IO chat bounds",
    description = "Per-connection bounds of the Socket.IO chat.")
@interface SocketChatConfiguration {
  String PID = "otterbot.chat.socket";

  @AttributeDefinition(name = "Turns per connection",
      description = "Turns one Socket.IO connection may have running at once; a message beyond that is answered with"
          + " an error chunk and chat:done.", min = "1")
  int maxTurnsPerSocket() default ChatEvents.Limits.DEFAULT_MAX_TURNS_PER_SOCKET;

  @AttributeDefinition(name = "Waiting events per connection",
      description = "Chat events of one connection waiting to be handled; one beyond that is answered at once with"
          + " an error chunk and chat:done.", min = "1")
  int maxQueuedEventsPerSocket() default ChatEvents.Limits.DEFAULT_MAX_QUEUED_EVENTS_PER_SOCKET;
}
