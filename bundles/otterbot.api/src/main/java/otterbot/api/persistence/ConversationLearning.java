package otterbot.api.persistence;

import java.time.Instant;
import java.util.List;

/**
 * What the end-of-conversation learning made of a conversation.
 *
 * @param learnedMessages how many of the conversation's messages have been learned from; a later close learns only
 *     from the messages after them
 * @param summary the summary paragraph (of the latest learning), may be empty
 * @param keyPoints its key points
 */
public record ConversationLearning(String conversationId, String agentId, int learnedMessages, String summary,
    List<String> keyPoints, Instant updatedAt) {
  public ConversationLearning {
    keyPoints = keyPoints == null ? List.of() : List.copyOf(keyPoints);
    summary = summary == null ? "" : summary;
  }
}
