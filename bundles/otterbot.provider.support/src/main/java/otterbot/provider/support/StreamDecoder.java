package otterbot.provider.support;

import java.io.IOException;

/**
 * Turns one provider's stream events into calls on the call's {@link GuardedSink}. One instance per call, called by
 * one thread at a time.
 */
public interface StreamDecoder {
  /**
   * Handles one event; may end the step through the sink.
   *
   * @throws IOException when the event's data is not what the wire format promises
   */
  void onEvent(SseEvent event) throws IOException;

  /**
   * The stream ended without an error. End the step through the sink if the events seen allow it; a step left open
   * fails as a cut stream.
   */
  void onEnd();
}
