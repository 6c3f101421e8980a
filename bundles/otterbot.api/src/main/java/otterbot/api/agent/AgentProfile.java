package otterbot.api.agent;

import java.time.Instant;
import java.util.List;

/**
 * The complete, normalised profile of an agent, as {@code GET /api/agents/:id} returns it. Never contains secrets.
 *
 * @param id slug id, {@code "coo"} for the COO
 * @param role one of {@link #ROLE_COO}, {@link #ROLE_AGENT}, {@link #ROLE_SUBAGENT}
 * @param email informational, may be null
 * @param parentId the spawning agent of a subagent, otherwise null
 * @param autoLearn whether the agent learns from a conversation when it ends (summary, facts, user profile); default
 *     true
 */
public record AgentProfile(
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
    boolean canSpawnSubagents,
    int subagentLimit,
    String parentId,
    Instant createdAt,
    boolean autoLearn) {

  /** The id of the coordinating agent, which always exists and cannot be deleted. */
  public static final String COO_ID = "coo";

  public static final String ROLE_COO = "coo";
  public static final String ROLE_AGENT = "agent";
  public static final String ROLE_SUBAGENT = "subagent";

  public AgentProfile {
    allowedModels = allowedModels == null ? List.of() : List.copyOf(allowedModels);
    allowedChatServices = allowedChatServices == null ? List.of() : List.copyOf(allowedChatServices);
  }

  /** A profile that learns ({@code autoLearn} true): the form of API 1.0. */
  public AgentProfile(String id, String displayName, String role, String persona, AgentModels model,
      List<ModelRef> allowedModels, List<String> allowedChatServices, String transport, String email,
      Artwork artwork, boolean canSpawnSubagents, int subagentLimit, String parentId, Instant createdAt) {
    this(id, displayName, role, persona, model, allowedModels, allowedChatServices, transport, email, artwork,
        canSpawnSubagents, subagentLimit, parentId, createdAt, true);
  }
}
