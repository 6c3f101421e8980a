package otterbot.api.persistence;

import java.time.Instant;

/**
 * A persisted chat message.
 *
 * @param role {@code user}, {@code assistant}, {@code system} or {@code tool}
 */
public record StoredMessage(String id, String conversationId, String role, String content, Instant createdAt) {}
