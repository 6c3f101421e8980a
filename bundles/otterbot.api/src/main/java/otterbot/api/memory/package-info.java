/**
 * Agents' memories and the learned user profile: the {@link otterbot.api.memory.MemoryService} that the REST adapter,
 * the memory tools and the prompt use, and its value types. Memories belong to one agent; a search within an agent
 * never finds another agent's memories.
 */
@Version("1.0.0")
@Export
package otterbot.api.memory;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
