package otterbot.api.orchestration;

import java.time.Instant;

/**
 * A subagent's task (upstream-behaviour §6.5).
 *
 * @param status {@link #QUEUED}, {@link #RUNNING}, {@link #DONE}, {@link #FAILED} or {@link #CANCELLED}
 * @param resultSummary the subagent's findings (or {@code Error: ...}), null while it runs
 * @param finishedAt null while it runs
 */
public record SubagentTask(
    String id,
    String rootId,
    String parentTaskId,
    String parentAgentId,
    String subagentId,
    String goal,
    String status,
    String resultSummary,
    Instant createdAt,
    Instant finishedAt) {

  public static final String QUEUED = "queued";
  public static final String RUNNING = "running";
  public static final String DONE = "done";
  public static final String FAILED = "failed";
  public static final String CANCELLED = "cancelled";
}
