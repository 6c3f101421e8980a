package otterbot.api.persistence;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

import otterbot.api.skill.Skill;

/** Agents' stored skills (the meta and scan findings as JSON in the row). Every write is committed before it returns. */
@ProviderType
public interface SkillStore {
  /**
   * In creation order.
   *
   * @param agentId one agent, or null for all
   */
  List<Skill> list(String agentId);

  Optional<Skill> get(String id);

  void insert(Skill skill);

  /** Replaces the stored fields of an existing skill of the same agent; false when it is gone. */
  boolean update(Skill skill);

  /** Adds one to the use count of each. */
  void used(Collection<String> ids);

  boolean delete(String agentId, String id);

  int deleteAll(String agentId);
}
