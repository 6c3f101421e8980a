package otterbot.core.internal.chat;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The bounds of the chat runtime. In {@code <home>/etc/otterbot.chat.cfg}; every attribute has a default, so nothing
 * needs to be set. (The Socket.IO chat's per-connection bounds are the server bundle's, in
 * {@code otterbot.chat.socket.cfg}: ConfigAdmin binds a configuration to one bundle.)
 */
@ObjectClassDefinition(
    id = ChatConfiguration.PID,
    name = "OtterBot chat",
    description = "Bounds of chat turns: how many run at once, how long one may take, how much it may say and do.")
@interface ChatConfiguration {
  String PID = "otterbot.chat";

  @AttributeDefinition(name = "Running turns",
      description = "Turns running at once across the server (chats, bus requests, scheduled runs, subagents); a turn"
          + " beyond this is refused at once with an error chunk.", min = "1")
  int maxRunningTurns() default ChatLimits.DEFAULT_MAX_RUNNING_TURNS;

  @AttributeDefinition(name = "Turn timeout (s)",
      description = "Wall-clock deadline of one turn: a turn still running after this ends with an error chunk and its"
          + " model call and tool are cancelled.", min = "1")
  int turnTimeoutSeconds() default ChatLimits.DEFAULT_TURN_TIMEOUT_SECONDS;

  @AttributeDefinition(name = "Message length",
      description = "Longest user message, in characters.", min = "1")
  int maxMessageChars() default ChatLimits.DEFAULT_MAX_MESSAGE_CHARS;

  @AttributeDefinition(name = "Reply length",
      description = "Longest reply of one turn, in characters (all model steps together); a longer one is cut there"
          + " and the turn ends with an error chunk.", min = "1")
  int maxReplyChars() default ChatLimits.DEFAULT_MAX_REPLY_CHARS;

  @AttributeDefinition(name = "Tool calls per step",
      description = "Tool calls run per model step; further calls in the same step are not run and the model is told"
          + " so.", min = "1")
  int maxToolCallsPerStep() default ChatLimits.DEFAULT_MAX_TOOL_CALLS_PER_STEP;

  @AttributeDefinition(name = "Tool timeout (s)",
      description = "How long one tool call may take; the model is then told that the tool timed out.", min = "1")
  int toolTimeoutSeconds() default ChatLimits.DEFAULT_TOOL_TIMEOUT_SECONDS;

  @AttributeDefinition(name = "Provider start timeout (s)",
      description = "How long a model provider may take to start a call (before streaming); longer is an error.",
      min = "1")
  int providerStartTimeoutSeconds() default ChatLimits.DEFAULT_PROVIDER_START_TIMEOUT_SECONDS;

  @AttributeDefinition(name = "History budget (characters)",
      description = "The conversation history sent to the model is its newest messages up to this many characters"
          + " (the current message is always sent); the whole history stays stored.", min = "1")
  int historyCharBudget() default ChatLimits.DEFAULT_HISTORY_CHAR_BUDGET;

  @AttributeDefinition(name = "Conversation idle time (minutes)",
      description = "A conversation without a message for this long is closed, which is when the agent learns from"
          + " it (as after chat:close or a disconnect).", min = "1")
  int conversationIdleMinutes() default 5;
}
