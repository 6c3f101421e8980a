package otterbot.api.chat;

import org.osgi.annotation.versioning.ConsumerType;

/** Receives one turn's output, in order, from one thread at a time. */
@ConsumerType
public interface ChatListener {
  /** A chunk of the reply. */
  void chunk(StreamChunk chunk);

  /** The turn is over (after success, error or cancel). Called exactly once, last. */
  void done();
}
