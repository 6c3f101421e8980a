package otterbot.api.orchestration;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/** Subagent tasks, as {@code GET /api/subagent-tasks} lists them. */
@ProviderType
public interface Subagents {
  /** Every task, newest first. */
  List<SubagentTask> tasks();

  /** How many subagents of the agent are active (spawned and not yet retired). */
  int active(String parentAgentId);
}
