package otterbot.api.chat;

/**
 * A joined conversation.
 *
 * @param resumed whether it already existed (the client asked for a known conversation of this agent)
 */
public record Conversation(String agentId, String conversationId, boolean resumed) {}
