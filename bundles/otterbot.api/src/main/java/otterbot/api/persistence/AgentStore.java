package otterbot.api.persistence;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

import otterbot.api.agent.AgentProfile;

/** Stored agent profiles. */
@ProviderType
public interface AgentStore {
  /** Every stored profile in creation order. */
  List<AgentProfile> loadAll();

  /** Inserts or replaces a profile; an update keeps the original creation order. */
  void save(AgentProfile profile);

  /**
   * Saves each profile as {@link #save} does, in list order (new ones take their creation order from it), in one
   * transaction where the store can: agents created at once share a commit (issue 12). Should this fail, any of them
   * may or may not be saved; saving each again alone is safe, as a save replaces. The default saves them one by one.
   *
   * @since 1.4
   */
  default void saveAll(List<AgentProfile> profiles) {
    for (AgentProfile profile : profiles) {
      save(profile);
    }
  }

  /** Deletes a profile; returns false when there was none. */
  boolean delete(String id);
}
