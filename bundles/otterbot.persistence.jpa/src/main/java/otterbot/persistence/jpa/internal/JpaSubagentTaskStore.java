package otterbot.persistence.jpa.internal;

import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Objects;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import otterbot.api.OtterbotException;
import otterbot.api.orchestration.SubagentTask;
import otterbot.api.persistence.SubagentTaskStore;

/** The {@code subagent_tasks} table. */
@Component(service = SubagentTaskStore.class)
public final class JpaSubagentTaskStore implements SubagentTaskStore {
  private final Transactions db;

  /** Held around saves in this JVM, so that two new tasks saved at once cannot both get max(position) + 1. */
  private final Object insertLock = new Object();

  @Activate
  public JpaSubagentTaskStore(@Reference Transactions db) {
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
            row.subagentId(), row.goal(), row.status(), row.resultSummary(), JpaScheduleStore.instant(row.createdAt()),
            JpaScheduleStore.instant(row.finishedAt())))
        .toList());
  }

  @Override
  public void save(SubagentTask task) {
    Objects.requireNonNull(task, "task");
    String id = Validation.validKey("subagent task id", task.id(), SubagentTaskEntity.ID_LENGTH);
    String what = "subagent task '" + id + "'";
    String root = Validation.validKey("root of " + what, task.rootId(), SubagentTaskEntity.ID_LENGTH);
    String parentTask =
        Validation.optionalKey("parent task of " + what, task.parentTaskId(), SubagentTaskEntity.ID_LENGTH);
    String parentAgent =
        Validation.validKey("parent agent of " + what, task.parentAgentId(), JpaConversationStore.MAX_AGENT_ID_LENGTH);
    String subagent = Validation.validKey("subagent of " + what, task.subagentId(), JpaConversationStore.MAX_AGENT_ID_LENGTH);
    String status = Validation.validKey("status of " + what, task.status(), SubagentTaskEntity.STATUS_LENGTH);
    if (task.goal() == null) {
      throw OtterbotException.invalid(what + " has no goal");
    }
    // A task the caller did not date is dated by its arrival.
    LocalDateTime createdAt = JpaConversationStore.utc(task.createdAt() == null ? Instant.now() : task.createdAt());
    LocalDateTime finishedAt = JpaScheduleStore.utc(task.finishedAt());
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
