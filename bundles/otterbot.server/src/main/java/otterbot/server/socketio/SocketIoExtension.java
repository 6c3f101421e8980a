package otterbot.server.socketio;

import org.osgi.annotation.versioning.ConsumerType;

import com.corundumstudio.socketio.SocketIOServer;

/**
 * A whiteboard service: register one and the public port hands it its Socket.IO server to add namespaces and listeners
 * to, for as long as both are there. Namespaces nobody added stay refused ({@code 44/name,{"message":"Invalid
 * namespace"}}).
 *
 * <p>Both methods are called on a framework thread, never on an I/O thread, and must return promptly.
 */
@ConsumerType
public interface SocketIoExtension {
  /** The port is running (or the extension was just registered): add namespaces and listeners. */
  void attach(SocketIOServer server);

  /**
   * The extension or the port is going away: remove what {@link #attach} added (netty-socketio can remove namespaces
   * and a namespace's event listeners by event name).
   */
  void detach(SocketIOServer server);
}
