/**
 * Extending the public port's Socket.IO server from other bundles: the {@link otterbot.server.socketio.SocketIoExtension}
 * whiteboard. For test fixtures and adapters that need namespaces or listeners of their own; the chat adapter is
 * built in.
 */
@Version("1.0.0")
@Export
package otterbot.server.socketio;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
