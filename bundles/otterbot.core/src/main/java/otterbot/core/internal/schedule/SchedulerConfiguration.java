package otterbot.core.internal.schedule;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Tuning of scheduled tasks; nothing needs to be set. */
@ObjectClassDefinition(
    id = SchedulerConfiguration.PID,
    name = "OtterBot scheduled tasks",
    description = "Runs agents' scheduled prompts on their cron schedules, as bus requests to the agent.")
@interface SchedulerConfiguration {
  String PID = "otterbot.scheduler";

  @AttributeDefinition(
      name = "Run timeout (s)",
      description = "How long one scheduled run may take before the scheduler stops waiting for the agent's answer."
          + " A run still going when its task fires again makes the scheduler skip that firing.",
      min = "1")
  int runTimeoutSeconds() default 600;

  @AttributeDefinition(
      name = "Tasks per agent",
      description = "How many enabled scheduled tasks one agent may have; one more is refused (400, or a tool error).",
      min = "1")
  int maxTasksPerAgent() default SchedulerImpl.DEFAULT_MAX_TASKS_PER_AGENT;

  @AttributeDefinition(
      name = "Minimum interval (s)",
      description = "The shortest time allowed between two firings of one task; a cron expression that fires more"
          + " often is refused (400, or a tool error). 0 allows every second.",
      min = "0")
  int minIntervalSeconds() default SchedulerImpl.DEFAULT_MIN_INTERVAL_SECONDS;
}
