package otterbot.api.skill;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

import otterbot.api.OtterbotException;

/**
 * Agents' skills (upstream §4.5, §8). Every write is committed before it returns. An id that is not an agent id is
 * refused as invalid; writes to an unknown agent are {@code NOT_FOUND}.
 */
@ProviderType
public interface SkillService {
  /**
   * Skills in creation order: stored ones and those skill bundles attach.
   *
   * @param agentId one agent, or null for every agent
   */
  List<Skill> list(String agentId);

  Optional<Skill> get(String agentId, String skillId);

  /**
   * Creates a skill from SKILL.md text ({@code source} imported) after scanning it; scanner errors do not reject it
   * here (upstream), the skill keeps {@code scanStatus: errors}.
   *
   * @throws OtterbotException {@code INVALID} for invalid YAML (the parser's message) or a missing name or body
   */
  Skill createFromMarkdown(String agentId, String raw);

  /** Creates an authored skill ({@code version 1.0.0}, author = the agent). */
  Skill createAuthored(String agentId, String name, String description, String body, List<String> tags);

  /**
   * Changes a skill: a new body replaces the old one, else {@code appendNote} adds a dated note section; a new
   * description replaces the old one. The skill is scanned again.
   *
   * @return empty when the agent has no such skill
   */
  Optional<Skill> update(String agentId, String skillId, String body, String appendNote, String description);

  /** Deletes a stored skill; false when there was none. A deleted skill stays deleted. */
  boolean delete(String agentId, String skillId);

  /** The installable skills: upstream's catalog (offline index) and what skill bundles ship. */
  List<CatalogEntry> catalog();

  /**
   * Installs a catalog skill for the agent: its body is fetched (or read from its bundle), scanned and parsed.
   *
   * @throws OtterbotException {@code INVALID} for an unknown or unavailable entry or scanner errors (the message lists
   *     the findings); {@code UNAVAILABLE} when the body cannot be fetched
   */
  Skill install(String agentId, String catalogId);

  /**
   * Imports SKILL.md text from a URL (through the SSRF-safe fetcher) or given raw; scanner errors reject it.
   *
   * @throws OtterbotException {@code INVALID} for every failure, with the message to show
   */
  Skill importSkill(String agentId, String url, String raw);

  /** The skill as SKILL.md text (upstream §8.3), agentskills.io keys kept. */
  Optional<String> export(String agentId, String skillId);

  /** Counts one use of each skill (injected into a prompt). */
  void used(List<String> skillIds);
}
