package otterbot.api.agent;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

import otterbot.api.OtterbotException;

/**
 * Every agent the server knows: the COO, agents created through the API and agents contributed by bundles. All
 * writes are committed to storage before they return.
 */
@ProviderType
public interface AgentRegistry {
  /** Summaries in display order: the COO first, then by creation. */
  List<AgentSummary> list();

  /** The normalised profile, or empty when no such agent exists. */
  Optional<AgentProfile> get(String id);

  /** How many agents exist, subagents included. */
  int count();

  /**
   * Creates and stores an agent and registers it as an {@link Agent} service.
   *
   * @throws OtterbotException {@code INVALID} when the input breaks a rule
   */
  AgentProfile create(AgentInput input);

  /**
   * Applies the given fields to a stored agent.
   *
   * @throws OtterbotException {@code NOT_FOUND}, {@code INVALID}, or {@code CONFLICT} for a bundle-provided agent
   */
  AgentProfile update(String id, AgentInput patch);

  /**
   * Deletes a stored agent.
   *
   * @throws OtterbotException {@code NOT_FOUND}, {@code INVALID} for the COO, or {@code CONFLICT} for a
   *     bundle-provided agent (the message names the bundle)
   */
  void delete(String id);
}
