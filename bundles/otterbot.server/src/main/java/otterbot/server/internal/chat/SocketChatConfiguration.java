package otterbot.server.internal.chat;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The per-connection chat bounds, read from {@code <home>/etc/otterbot.chat.cfg}, the file of the chat runtime's own
 * bounds (the core describes that PID in its metatype; this type only reads the two attributes that are about
 * connections, so it is not designated for it).
 */
@ObjectClassDefinition(name = "OtterBot Socket.IO chat bounds")
@interface SocketChatConfiguration {
  String PID = "otterbot.chat";

  @AttributeDefinition(name = "Turns per connection",
      description = "Turns one Socket.IO connection may have running at once; a message beyond that is answered with"
          + " an error chunk and chat:done.", min = "1")
  int maxTurnsPerSocket() default ChatEvents.Limits.DEFAULT_MAX_TURNS_PER_SOCKET;

  @AttributeDefinition(name = "Waiting events per connection",
      description = "Chat events of one connection waiting to be handled; one beyond that is answered at once with"
          + " an error chunk and chat:done.", min = "1")
  int maxQueuedEventsPerSocket() default ChatEvents.Limits.DEFAULT_MAX_QUEUED_EVENTS_PER_SOCKET;
}
