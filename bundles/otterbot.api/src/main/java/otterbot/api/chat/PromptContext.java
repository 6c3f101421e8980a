package otterbot.api.chat;

import otterbot.api.agent.AgentProfile;

/**
 * The turn a prompt is built for.
 *
 * @param userMessage the message the turn answers
 */
public record PromptContext(AgentProfile agent, String conversationId, String userMessage) {}
