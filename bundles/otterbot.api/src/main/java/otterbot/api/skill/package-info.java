/**
 * Skills: SKILL.md documents (YAML frontmatter and a Markdown body) that agents apply, author and share. The
 * {@link otterbot.api.skill.SkillService} keeps each agent's skills; skill bundles contribute theirs as resources
 * ({@code skills/<name>/SKILL.md}); the catalog lists what can be installed.
 */
@Version("1.0.0")
@Export
package otterbot.api.skill;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
