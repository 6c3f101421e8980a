package otterbot.api.agent;

import java.time.Instant;
import java.util.List;

/**
 * What a client sends to create ({@code POST /api/agents}) or change ({@code PATCH /api/agents/:id}) an agent. Every
 * field is optional; null means "not given". On create, {@code displayName} is required and {@code id} and
 * {@code createdAt} are ignored (ids are derived from the display name). On update, the given fields replace the
 * stored ones (nested objects are replaced whole) and {@code id} and {@code createdAt} are ignored, so a client may
 * send back a whole profile it read.
 */
public record AgentInput(
    String id,
    String displayName,
    String role,
    String persona,
    AgentModels model,
    List<ModelRef> allowedModels,
    List<String> allowedChatServices,
    String transport,
    String email,
    Artwork artwork,
    Boolean canSpawnSubagents,
    Integer subagentLimit,
    String parentId,
    Instant createdAt,
    Boolean autoLearn) {

  /** An input without {@code autoLearn}: the form of API 1.0. */
  public AgentInput(String id, String displayName, String role, String persona, AgentModels model,
      List<ModelRef> allowedModels, List<String> allowedChatServices, String transport, String email,
      Artwork artwork, Boolean canSpawnSubagents, Integer subagentLimit, String parentId, Instant createdAt) {
    this(id, displayName, role, persona, model, allowedModels, allowedChatServices, transport, email, artwork,
        canSpawnSubagents, subagentLimit, parentId, createdAt, null);
  }

  /** An input with only a display name, the smallest valid create request. */
  public static AgentInput named(String displayName) {
    return new AgentInput(null, displayName, null, null, null, null, null, null, null, null, null, null, null, null,
        null);
  }
}
