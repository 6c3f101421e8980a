package otterbot.api.persistence;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

import otterbot.api.schedule.ScheduledTask;

/** Scheduled tasks. */
@ProviderType
public interface ScheduleStore {
  /** Every task in creation order. */
  List<ScheduledTask> all();

  Optional<ScheduledTask> get(String id);

  /** Inserts or replaces a task (by id); an update keeps the creation order. */
  void save(ScheduledTask task);
}
