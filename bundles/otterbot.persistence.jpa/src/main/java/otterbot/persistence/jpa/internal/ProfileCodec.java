package otterbot.persistence.jpa.internal;

import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import otterbot.api.agent.AgentModels;
import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.Artwork;
import otterbot.api.agent.ModelRef;

/**
 * The JSON document stored for an agent. It goes through private records rather than the API records so that the
 * stored format only changes when this class does, and so that {@code createdAt} needs no jackson-datatype-jsr310
 * (an ISO-8601 string keeps the instant exactly, nanoseconds included).
 */
final class ProfileCodec {
  // Unknown properties are ignored: a row written by a newer version must still load after a downgrade.
  private final ObjectMapper mapper =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  String encode(AgentProfile profile) {
    try {
      return mapper.writeValueAsString(StoredProfile.of(profile));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** @throws UncheckedIOException when the text is not a stored profile */
  AgentProfile decode(String json) {
    try {
      return mapper.readValue(json, StoredProfile.class).toProfile();
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  record StoredProfile(
      String id,
      String displayName,
      String role,
      String persona,
      StoredModels model,
      List<StoredModelRef> allowedModels,
      List<String> allowedChatServices,
      String transport,
      String email,
      StoredArtwork artwork,
      boolean canSpawnSubagents,
      int subagentLimit,
      String parentId,
      String createdAt,
      // Null in rows written before autoLearn existed: those agents learn, the default.
      Boolean autoLearn) {

    static StoredProfile of(AgentProfile p) {
      return new StoredProfile(p.id(), p.displayName(), p.role(), p.persona(), StoredModels.of(p.model()),
          p.allowedModels().stream().map(StoredModelRef::of).toList(), p.allowedChatServices(), p.transport(),
          p.email(), p.artwork() == null ? null : new StoredArtwork(p.artwork().modelPack()), p.canSpawnSubagents(),
          p.subagentLimit(), p.parentId(), p.createdAt() == null ? null : p.createdAt().toString(), p.autoLearn());
    }

    AgentProfile toProfile() {
      return new AgentProfile(id, displayName, role, persona, model == null ? null : model.toModels(),
          allowedModels == null ? null : allowedModels.stream().map(StoredModelRef::toRef).toList(),
          allowedChatServices, transport, email, artwork == null ? null : new Artwork(artwork.modelPack()),
          canSpawnSubagents, subagentLimit, parentId, createdAt == null ? null : Instant.parse(createdAt),
          autoLearn == null || autoLearn);
    }
  }

  record StoredModels(StoredModelRef chat, StoredModelRef embedding) {
    static StoredModels of(AgentModels m) {
      return m == null ? null : new StoredModels(StoredModelRef.of(m.chat()), StoredModelRef.of(m.embedding()));
    }

    AgentModels toModels() {
      return new AgentModels(StoredModelRef.toRef(chat), StoredModelRef.toRef(embedding));
    }
  }

  record StoredModelRef(String provider, String modelId) {
    static StoredModelRef of(ModelRef r) {
      return r == null ? null : new StoredModelRef(r.provider(), r.modelId());
    }

    static ModelRef toRef(StoredModelRef r) {
      return r == null ? null : new ModelRef(r.provider, r.modelId);
    }
  }

  record StoredArtwork(String modelPack) {}
}
