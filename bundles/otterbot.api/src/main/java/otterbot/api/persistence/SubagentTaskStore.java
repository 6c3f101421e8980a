package otterbot.api.persistence;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

import otterbot.api.orchestration.SubagentTask;

/** Subagent task records. */
@ProviderType
public interface SubagentTaskStore {
  /** Every task, newest first. */
  List<SubagentTask> all();

  /** Inserts or replaces a task (by id). */
  void save(SubagentTask task);
}
