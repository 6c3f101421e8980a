package otterbot.api.schedule;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

import otterbot.api.OtterbotException;

/** Scheduled tasks. Writes are committed before they return. */
@ProviderType
public interface Scheduler {
  /** The agent's tasks, cancelled ones included, in creation order. */
  List<ScheduledTask> list(String agentId);

  Optional<ScheduledTask> get(String taskId);

  /**
   * Adds an enabled task and arms it.
   *
   * @throws OtterbotException {@code NOT_FOUND} for an unknown agent; {@code INVALID} with {@code cron and prompt are
   *     required} or {@code invalid cron expression}
   */
  ScheduledTask add(String agentId, String cron, String prompt);

  /** Disables the task and stops its timer; false when there is no such task. Idempotent. */
  boolean cancel(String taskId);
}
