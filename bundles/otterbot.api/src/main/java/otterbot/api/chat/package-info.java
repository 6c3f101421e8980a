/**
 * Chat turns: the {@link otterbot.api.chat.ChatService} adapters (Socket.IO, later others) drive, the chunks a turn
 * streams, and the {@link otterbot.api.chat.AgentStatusListener} whiteboard for live agent status.
 */
@Version("1.1.0")
@Export
package otterbot.api.chat;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
