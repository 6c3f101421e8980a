package otterbot.api.provider;

/** A running {@link ModelProvider#chat} call. */
@FunctionalInterface
public interface ChatCall {
  /** Aborts the call and closes its connection. Idempotent; harmless after the call ended. */
  void cancel();
}
