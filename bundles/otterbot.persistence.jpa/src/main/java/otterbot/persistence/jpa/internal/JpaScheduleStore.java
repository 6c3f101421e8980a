package otterbot.persistence.jpa.internal;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import otterbot.api.persistence.ScheduleStore;
import otterbot.api.schedule.ScheduledTask;

/** The {@code scheduled_tasks} table, in creation order. */
@Component(service = ScheduleStore.class)
public final class JpaScheduleStore implements ScheduleStore {
  private final Transactions db;

  /** Held around saves in this JVM, so that two new tasks saved at once cannot both get max(position) + 1. */
  private final Object insertLock = new Object();

  @Activate
  public JpaScheduleStore(@Reference Transactions db) {
    this.db = db;
  }

  @Override
  public List<ScheduledTask> all() {
    return db.read("load the scheduled tasks", em -> em
        .createQuery("SELECT t FROM ScheduledTaskEntity t ORDER BY t.position, t.id", ScheduledTaskEntity.class)
        .getResultList()
        .stream()
        .map(JpaScheduleStore::task)
        .toList());
  }

  @Override
  public Optional<ScheduledTask> get(String id) {
    Objects.requireNonNull(id, "id");
    if (id.isEmpty() || id.length() > ScheduledTaskEntity.ID_LENGTH) {
      return Optional.empty(); // could never have been saved
    }
    return db.read("read scheduled task '" + id + "'",
        em -> Optional.ofNullable(em.find(ScheduledTaskEntity.class, id)).map(JpaScheduleStore::task));
  }

  @Override
  public void save(ScheduledTask task) {
    Objects.requireNonNull(task, "task");
    String id = Validation.validKey("scheduled task id", task.id(), ScheduledTaskEntity.ID_LENGTH);
    String what = "scheduled task '" + id + "'";
    String agent = Validation.validKey("agent of " + what, task.agentId(), JpaConversationStore.MAX_AGENT_ID_LENGTH);
    String cron = Validation.validKey("cron expression of " + what, task.cron(), ScheduledTaskEntity.CRON_LENGTH);
    if (task.prompt() == null) {
      throw otterbot.api.OtterbotException.invalid(what + " has no prompt");
    }
    LocalDateTime lastRun = utc(task.lastRunAt());
    LocalDateTime nextRun = utc(task.nextRunAt());
    synchronized (insertLock) {
      db.write("save " + what, List.of(), em -> {
        ScheduledTaskEntity row = em.find(ScheduledTaskEntity.class, id);
        if (row == null) {
          Long last = em.createQuery("SELECT MAX(t.position) FROM ScheduledTaskEntity t", Long.class)
              .getSingleResult();
          row = new ScheduledTaskEntity(id, last == null ? 1 : last + 1);
          row.update(agent, cron, task.prompt(), task.enabled(), lastRun, nextRun);
          em.persist(row);
        } else {
          row.update(agent, cron, task.prompt(), task.enabled(), lastRun, nextRun);
        }
        return null;
      });
    }
  }

  private static ScheduledTask task(ScheduledTaskEntity row) {
    return new ScheduledTask(row.id(), row.agentId(), row.cron(), row.prompt(), row.enabled(),
        instant(row.lastRunAt()), instant(row.nextRunAt()));
  }

  static LocalDateTime utc(Instant instant) {
    return instant == null ? null : JpaConversationStore.utc(instant);
  }

  static Instant instant(LocalDateTime utc) {
    return utc == null ? null : utc.toInstant(ZoneOffset.UTC);
  }
}
