package otterbot.api.provider;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Receives one model step as it streams. Implemented by the server; called by providers, in order, from a single
 * thread at a time. Deliver every delta as soon as it arrives: the server relays it to the user without buffering.
 */
@ProviderType
public interface ChatSink {
  /** A piece of the reply's text. */
  void text(String delta);

  /** A complete tool call (its arguments fully received). */
  void toolCall(ToolCall call);

  /**
   * The step ended normally. Terminal.
   *
   * @param finishReason the provider's reason, for example {@code stop}, {@code tool_calls} or {@code length}; may be
   *     null
   */
  void completed(String finishReason);

  /** The step failed; the message is shown to the user and must not contain a secret. Terminal. */
  void failed(String message);
}
