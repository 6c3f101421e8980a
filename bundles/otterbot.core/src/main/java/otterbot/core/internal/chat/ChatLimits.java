package otterbot.core.internal.chat;

import java.time.Duration;

/** The bounds of the chat runtime ({@link ChatConfiguration}), as plain values tests can build. */
record ChatLimits(
    int maxRunningTurns,
    Duration turnTimeout,
    int maxMessageChars,
    int maxReplyChars,
    int maxToolCallsPerStep,
    Duration toolTimeout,
    Duration providerStartTimeout,
    int historyCharBudget) {
  /** High enough for the 1,000 concurrent chats; each running turn holds one thread. */
  static final int DEFAULT_MAX_RUNNING_TURNS = 1024;
  static final int DEFAULT_TURN_TIMEOUT_SECONDS = 600;
  static final int DEFAULT_MAX_MESSAGE_CHARS = 100_000;
  static final int DEFAULT_MAX_REPLY_CHARS = 200_000;
  static final int DEFAULT_MAX_TOOL_CALLS_PER_STEP = 16;
  static final int DEFAULT_TOOL_TIMEOUT_SECONDS = 120;
  static final int DEFAULT_PROVIDER_START_TIMEOUT_SECONDS = 30;
  static final int DEFAULT_HISTORY_CHAR_BUDGET = 200_000;

  static final ChatLimits DEFAULTS = new ChatLimits(DEFAULT_MAX_RUNNING_TURNS,
      Duration.ofSeconds(DEFAULT_TURN_TIMEOUT_SECONDS), DEFAULT_MAX_MESSAGE_CHARS, DEFAULT_MAX_REPLY_CHARS,
      DEFAULT_MAX_TOOL_CALLS_PER_STEP, Duration.ofSeconds(DEFAULT_TOOL_TIMEOUT_SECONDS),
      Duration.ofSeconds(DEFAULT_PROVIDER_START_TIMEOUT_SECONDS), DEFAULT_HISTORY_CHAR_BUDGET);

  /** Out-of-range values (a hand-edited file, say) fall back to at least 1. */
  static ChatLimits of(ChatConfiguration c) {
    return new ChatLimits(Math.max(1, c.maxRunningTurns()), Duration.ofSeconds(Math.max(1, c.turnTimeoutSeconds())),
        Math.max(1, c.maxMessageChars()), Math.max(1, c.maxReplyChars()), Math.max(1, c.maxToolCallsPerStep()),
        Duration.ofSeconds(Math.max(1, c.toolTimeoutSeconds())),
        Duration.ofSeconds(Math.max(1, c.providerStartTimeoutSeconds())), Math.max(1, c.historyCharBudget()));
  }

  ChatLimits withMaxRunningTurns(int value) {
    return new ChatLimits(value, turnTimeout, maxMessageChars, maxReplyChars, maxToolCallsPerStep, toolTimeout,
        providerStartTimeout, historyCharBudget);
  }

  ChatLimits withTurnTimeout(Duration value) {
    return new ChatLimits(maxRunningTurns, value, maxMessageChars, maxReplyChars, maxToolCallsPerStep, toolTimeout,
        providerStartTimeout, historyCharBudget);
  }

  ChatLimits withMaxReplyChars(int value) {
    return new ChatLimits(maxRunningTurns, turnTimeout, maxMessageChars, value, maxToolCallsPerStep, toolTimeout,
        providerStartTimeout, historyCharBudget);
  }

  ChatLimits withMaxToolCallsPerStep(int value) {
    return new ChatLimits(maxRunningTurns, turnTimeout, maxMessageChars, maxReplyChars, value, toolTimeout,
        providerStartTimeout, historyCharBudget);
  }

  ChatLimits withToolTimeout(Duration value) {
    return new ChatLimits(maxRunningTurns, turnTimeout, maxMessageChars, maxReplyChars, maxToolCallsPerStep, value,
        providerStartTimeout, historyCharBudget);
  }

  ChatLimits withProviderStartTimeout(Duration value) {
    return new ChatLimits(maxRunningTurns, turnTimeout, maxMessageChars, maxReplyChars, maxToolCallsPerStep,
        toolTimeout, value, historyCharBudget);
  }

  ChatLimits withHistoryCharBudget(int value) {
    return new ChatLimits(maxRunningTurns, turnTimeout, maxMessageChars, maxReplyChars, maxToolCallsPerStep,
        toolTimeout, providerStartTimeout, value);
  }
}
