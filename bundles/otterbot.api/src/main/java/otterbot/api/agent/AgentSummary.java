package otterbot.api.agent;

/**
 * One item of {@code GET /api/agents}.
 *
 * @param status the live status, one of {@link AgentStatus}'s constants
 * @param activeSubagents how many subagents of this agent are currently active
 */
public record AgentSummary(
    String id,
    String displayName,
    String role,
    String status,
    ModelRef chatModel,
    Artwork artwork,
    String parentId,
    int activeSubagents) {}
