package otterbot.server.internal;

/**
 * What the {@link FrontAggregator} needs answered but must not answer itself, because only the
 * {@link RequestSequencer} knows whether an earlier response is still being written.
 */
enum FrontSignal {
  /** Send {@code 100 Continue}: the request announced an acceptable body and waits for the go-ahead. */
  CONTINUE,
  /** Answer {@code 413}; the body is being discarded and the connection stays open. */
  TOO_LARGE,
  /** Answer {@code 413} and close: part of the body was already read. */
  TOO_LARGE_CLOSE
}
