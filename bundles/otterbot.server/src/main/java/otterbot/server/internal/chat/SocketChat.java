package otterbot.server.internal.chat;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.util.concurrent.DefaultThreadFactory;

import otterbot.api.chat.AgentStatusListener;
import otterbot.api.chat.ChatService;
import otterbot.server.internal.PublicPort;

/**
 * Chat over Socket.IO on the public port: {@link ChatEvents} on the port's Socket.IO server, for as long as the port
 * runs, and the {@link AgentStatusListener} that broadcasts {@code agent:status}.
 *
 * <p>The chat service is optional and dynamic: the port and its sockets stay up while the core starts or is updated,
 * and a message meanwhile is answered with an error chunk ({@link ChatEvents#NOT_AVAILABLE}) and {@code chat:done}.
 * Immediate, so the chat events are served from the start, not only once something looks up the status listener.
 */
@Component(service = AgentStatusListener.class, immediate = true, configurationPid = SocketChatConfiguration.PID)
@Designate(ocd = SocketChatConfiguration.class)
public final class SocketChat implements AgentStatusListener {
  private static final Logger LOG = LoggerFactory.getLogger(SocketChat.class);

  @Reference(
      cardinality = ReferenceCardinality.OPTIONAL,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  private volatile ChatService chat;

  private final ExecutorService executor;
  private final ChatEvents events;

  @Activate
  public SocketChat(@Reference PublicPort port, SocketChatConfiguration config) {
    // Threads only while there are chat events to handle: join and send calls, one per socket at a time (ChatEvents
    // keeps each socket's events in its own queue). Daemon, named, gone 30 s after the last event.
    executor = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
        new DefaultThreadFactory("otterbot-chat", true));
    events = new ChatEvents(port.socketIo(), () -> chat, executor, new ChatEvents.Limits(
        Math.max(1, config.maxTurnsPerSocket()), Math.max(1, config.maxQueuedEventsPerSocket())));
  }

  @Override
  public void statusChanged(String agentId, String status) {
    events.statusChanged(agentId, status);
  }

  @Deactivate
  void deactivate() {
    events.close();
    executor.shutdown();
    try {
      if (!executor.awaitTermination(2, TimeUnit.SECONDS)) {
        LOG.warn("Chat event handling did not end within 2 s; interrupting it");
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      executor.shutdownNow();
    }
  }
}
