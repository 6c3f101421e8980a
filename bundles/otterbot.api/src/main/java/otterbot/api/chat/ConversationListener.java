package otterbot.api.chat;

import org.osgi.annotation.versioning.ConsumerType;

import otterbot.api.agent.AgentProfile;

/**
 * Whiteboard: told about conversations, for example to learn from them. Both methods have defaults, so a listener
 * implements what it needs.
 */
@ConsumerType
public interface ConversationListener {
  /** {@link #closed} reason: the client sent {@code chat:close}. */
  String CLOSED_BY_CLIENT = "close";
  /** {@link #closed} reason: the client's connection went away. */
  String DISCONNECTED = "disconnect";
  /** {@link #closed} reason: no message for the idle time (five minutes by default). */
  String IDLE = "idle";

  /**
   * A user message was stored and its turn is about to build its prompt. Called on the turn's thread with a
   * timeout, so whatever this does (saving a "remember ..." at once) is in place for the reply.
   */
  default void messageReceived(AgentProfile agent, String conversationId, String text) throws InterruptedException {}

  /**
   * A conversation ended. Called on a background thread, possibly more than once for the same conversation (a
   * close and then the disconnect); must not block for long.
   *
   * @param reason {@link #CLOSED_BY_CLIENT}, {@link #DISCONNECTED} or {@link #IDLE}
   */
  default void closed(AgentProfile agent, String conversationId, String reason) {}
}
