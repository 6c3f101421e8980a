/**
 * Agents: the profile value types, the {@link otterbot.api.agent.Agent} service through which every agent is visible
 * (stored ones and those contributed by agent-pack bundles) and the {@link otterbot.api.agent.AgentRegistry} that
 * manages them.
 */
@Version("1.1.0")
@Export
package otterbot.api.agent;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
