package otterbot.core.internal;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import otterbot.api.agent.AgentInput;
import otterbot.api.agent.AgentModels;
import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.AgentRegistry;
import otterbot.api.agent.AgentSummary;
import otterbot.api.agent.Artwork;
import otterbot.api.agent.ModelRef;

/**
 * A read-only agent registry over a map the test owns (and may change): what the chat, bus and scheduler tests need
 * from the real registry, without storage.
 */
public final class MapAgents implements AgentRegistry {
  public final Map<String, AgentProfile> profiles;

  public MapAgents(Map<String, AgentProfile> profiles) {
    this.profiles = profiles;
  }

  public MapAgents(AgentProfile... agents) {
    this(new ConcurrentHashMap<>());
    for (AgentProfile agent : agents) {
      profiles.put(agent.id(), agent);
    }
  }

  /** A profile with the given chat model (also used for embeddings), persona "Persona of &lt;id&gt;". */
  public static AgentProfile profile(String id, String role, ModelRef chat) {
    return new AgentProfile(id, id.toUpperCase(), role, "Persona of " + id, new AgentModels(chat, chat), List.of(),
        List.of("web"), "local", null, new Artwork("prototype-pete"), false, 0, null, Instant.EPOCH);
  }

  @Override
  public List<AgentSummary> list() {
    return List.of();
  }

  @Override
  public Optional<AgentProfile> get(String id) {
    return Optional.ofNullable(profiles.get(id));
  }

  @Override
  public int count() {
    return profiles.size();
  }

  @Override
  public AgentProfile create(AgentInput input) {
    throw new UnsupportedOperationException();
  }

  @Override
  public AgentProfile update(String id, AgentInput patch) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void delete(String id) {
    throw new UnsupportedOperationException();
  }
}
