package otterbot.socketio.conformance.internal;

import java.util.Arrays;
import java.util.Map;

import org.osgi.service.component.annotations.Component;

import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.SocketIONamespace;
import com.corundumstudio.socketio.SocketIOServer;
import com.corundumstudio.socketio.listener.MultiTypeEventListener;

import otterbot.server.socketio.SocketIoExtension;

/**
 * What the official Socket.IO v5 protocol test suite (socket.io-protocol's {@code test-suite/}) expects of the server
 * under test, on the public port: namespaces {@code /} and {@code /custom} that emit {@code auth} with the client's
 * CONNECT payload once it has joined, echo {@code message} as {@code message-back} and acknowledge
 * {@code message-with-ack} with its own arguments. Every other namespace stays refused by the server.
 *
 * <p>The timings the suite wants ({@code pingInterval} 300 ms, {@code pingTimeout} 200 ms, {@code maxPayload} 1000000,
 * {@code connectTimeout} 1000 ms) are the server's own settings, in {@code otterbot.server.cfg}; see the README.
 *
 * <p>A test fixture: not part of the distribution. On {@code /} it adds to the chat's listeners, it does not replace
 * them.
 */
@Component
public final class ConformanceNamespaces implements SocketIoExtension {
  /** netty-socketio's name of the main namespace, {@code /}. */
  static final String MAIN = "";
  static final String CUSTOM = "/custom";
  static final String MESSAGE = "message";
  static final String MESSAGE_WITH_ACK = "message-with-ack";
  /** netty-socketio decodes as many event arguments as classes were declared; more than the suite ever sends. */
  private static final Class<?>[] ARGUMENTS = new Class<?>[16];

  static {
    Arrays.fill(ARGUMENTS, Object.class);
  }

  @Override
  public void attach(SocketIOServer server) {
    listen(server.getNamespace(MAIN));
    listen(server.addNamespace(CUSTOM));
  }

  private static void listen(SocketIONamespace namespace) {
    namespace.addConnectListener(client -> client.sendEvent("auth", auth(client)));
    namespace.addMultiTypeEventListener(MESSAGE,
        (MultiTypeEventListener) (client, args, ack) -> client.sendEvent("message-back", args.getArgs().toArray()),
        ARGUMENTS);
    namespace.addMultiTypeEventListener(MESSAGE_WITH_ACK,
        (MultiTypeEventListener) (client, args, ack) -> ack.sendAckData(args.getArgs()), ARGUMENTS);
  }

  /** The payload of the client's CONNECT packet, or an empty object when it sent none. */
  private static Object auth(SocketIOClient client) {
    Object token = client.getHandshakeData().getAuthToken();
    return token != null ? token : Map.of();
  }

  @Override
  public void detach(SocketIOServer server) {
    server.removeNamespace(CUSTOM);
    SocketIONamespace main = server.getNamespace(MAIN);
    main.removeAllListeners(MESSAGE);
    main.removeAllListeners(MESSAGE_WITH_ACK);
    // netty-socketio cannot remove a single connect listener; on / the auth emit stays until the port restarts.
  }
}
