package otterbot.api.provider;

import org.osgi.annotation.versioning.ConsumerType;

/** A running {@link ModelProvider#chat} call. Implemented by providers (it is what {@code chat} returns). */
@ConsumerType
@FunctionalInterface
public interface ChatCall {
  /** Aborts the call and closes its connection. Idempotent; harmless after the call ended. */
  void cancel();
}
