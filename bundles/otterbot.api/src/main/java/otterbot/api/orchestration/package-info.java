/**
 * Agents working together: the observable {@link otterbot.api.orchestration.MessageBus} every agent-to-agent message
 * goes through, the {@link otterbot.api.orchestration.BusTransport} whiteboard that sees each stored message (the
 * Socket.IO adapter, bridges to other systems), and subagent tasks.
 */
@Version("1.0.0")
@Export
package otterbot.api.orchestration;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
