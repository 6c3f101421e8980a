package otterbot.api.schedule;

import java.time.Instant;

/**
 * A prompt an agent runs on a schedule (upstream-behaviour §3.5, §10).
 *
 * @param cron a 5-field (minute first) or 6-field (second first) cron expression
 * @param enabled false once cancelled; a cancelled task is still listed
 * @param lastRunAt when it last fired, or null
 * @param nextRunAt when it fires next, or null when it is disabled or never fires again
 */
public record ScheduledTask(String id, String agentId, String cron, String prompt, boolean enabled, Instant lastRunAt,
    Instant nextRunAt) {}
