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

  /** Deletes a profile; returns false when there was none. */
  boolean delete(String id);
}
