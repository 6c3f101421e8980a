package otterbot.persistence.jpa.internal;

import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Objects;

import otterbot.api.OtterbotException;
import otterbot.api.orchestration.SubagentTask;
import otterbot.api.persistence.SubagentTaskStore;

/**
 * The {@code subagent_tasks} table. Registered as the {@link SubagentTaskStore} service by {@link JpaStorage}, like
 * {@link Schedules} and for the same reason ({@code all()} clashes with {@code ScheduleStore.all()}).
 */
final class SubagentTasks implements SubagentTaskStore {
  private final Transactions db;

  /** Held around saves in this JVM, so that two new tasks saved at once cannot both get max(position) + 1. */
  private final Object insertLock = new Object();

  SubagentTasks(Transactions db) {
    this.db = db;
  }

  /** Newest {@code createdAt} first, as upstream; of two created in the same microsecond, the one saved later first. */
  @Override
  public List<SubagentTask> all() {
    return db.read("load the subagent tasks", em -> em
        .createQuery("SELECT t FROM SubagentTaskEntity t ORDER BY t.createdAt DESC, t.position DESC",
            SubagentTaskEntity.class)
        .getResultList()
        .stream()
        .map(row -> new SubagentTask(row.id(), row.rootId(), row.parentTaskId(), row.parentAgentId(),
            row.subagentId(), row.goal(), row.status(), row.resultSummary(), Schedules.instant(row.createdAt()),
            Schedules.instant(row.finishedAt())))
        .toList());
  }

  @Override
  public void save(SubagentTask task) {
    Objects.requireNonNull(task, "task");
    String id = JpaStorage.validKey("subagent task id", task.id(), SubagentTaskEntity.ID_LENGTH);
    String what = "subagent task '" + id + "'";
    String root = JpaStorage.validKey("root of " + what, task.rootId(), SubagentTaskEntity.ID_LENGTH);
    String parentTask =
        Bus.optionalKey("parent task of " + what, task.parentTaskId(), SubagentTaskEntity.ID_LENGTH);
    String parentAgent =
        JpaStorage.validKey("parent agent of " + what, task.parentAgentId(), Conversations.MAX_AGENT_ID_LENGTH);
    String subagent = JpaStorage.validKey("subagent of " + what, task.subagentId(), Conversations.MAX_AGENT_ID_LENGTH);
    String status = JpaStorage.validKey("status of " + what, task.status(), SubagentTaskEntity.STATUS_LENGTH);
    if (task.goal() == null) {
      throw OtterbotException.invalid(what + " has no goal");
    }
    // A task the caller did not date is dated by its arrival.
    LocalDateTime createdAt = Conversations.utc(task.createdAt() == null ? Instant.now() : task.createdAt());
    LocalDateTime finishedAt = Schedules.utc(task.finishedAt());
    synchronized (insertLock) {
      db.write("save " + what, List.of(), em -> {
        SubagentTaskEntity row = em.find(SubagentTaskEntity.class, id);
        boolean insert = row == null;
        if (insert) {
          Long last = em.createQuery("SELECT MAX(t.position) FROM SubagentTaskEntity t", Long.class)
              .getSingleResult();
          row = new SubagentTaskEntity(id, last == null ? 1 : last + 1);
        }
        row.update(root, parentTask, parentAgent, subagent, task.goal(), status, task.resultSummary(), createdAt,
            finishedAt);
        if (insert) {
          em.persist(row);
        }
        return null;
      });
    }
  }
}
