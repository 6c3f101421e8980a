package otterbot.api.memory;

import java.time.Instant;

/**
 * One item of the user profile (upstream-behaviour §3.5 Fact).
 *
 * @param confidence 1 to 10; a new item starts at 5 and each re-confirmation adds 1
 * @param contradicted whether a later conversation contradicted it (kept, but left out of prompts)
 */
public record ProfileFact(String content, int confidence, Instant firstSeenAt, Instant lastConfirmedAt,
    boolean contradicted) {}
