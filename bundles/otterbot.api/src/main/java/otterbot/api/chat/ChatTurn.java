package otterbot.api.chat;

/** A running turn. */
@FunctionalInterface
public interface ChatTurn {
  /**
   * Stops the turn: the provider stream is aborted and a running tool is interrupted. What was said so far is kept.
   * The listener still gets {@link ChatListener#done()}. Idempotent.
   */
  void cancel();
}
