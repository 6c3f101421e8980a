package otterbot.api.chat;

import org.osgi.annotation.versioning.ProviderType;

/** A running turn, as {@link ChatService#send} returns it. Implemented by the server. */
@ProviderType
@FunctionalInterface
public interface ChatTurn {
  /**
   * Stops the turn: the provider stream is aborted and a running tool is interrupted. What was said so far is kept.
   * The listener still gets {@link ChatListener#done()}. Idempotent.
   */
  void cancel();
}
