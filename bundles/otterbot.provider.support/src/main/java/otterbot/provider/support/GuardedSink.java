package otterbot.provider.support;

import java.util.concurrent.locks.ReentrantLock;

import otterbot.api.provider.ChatSink;
import otterbot.api.provider.ToolCall;

/**
 * Enforces the {@link ChatSink} contract in front of the server's sink, whichever thread reports (the stream, the idle
 * watchdog, a transport error, deactivation): one call at a time, exactly one terminal call, and nothing at all once
 * the call is {@link #close() closed}.
 *
 * <p>It has the sink's methods but deliberately does not implement {@link ChatSink}: that interface is a
 * {@code @ProviderType} (the server implements it), and bnd gives a bundle that implements a provider type the narrow
 * provider import range ({@code [1.1,1.2)}). This class is embedded in every provider bundle, which must import
 * {@code otterbot.api.provider} with the consumer range ({@code [1.1,2)}) that a third-party provider gets, so that a
 * compatible (minor) release of the API does not lock the bundled providers out.
 */
public final class GuardedSink {
  private enum State { OPEN, COMPLETED, FAILED, CLOSED }

  private final ChatSink target;
  // A lock rather than synchronized: close() must wait for a delivery in progress, and it may be called from inside
  // one (a sink that cancels its own call), which the reentrant lock allows.
  private final ReentrantLock lock = new ReentrantLock();
  private State state = State.OPEN;

  public GuardedSink(ChatSink target) {
    this.target = target;
  }

  /** See {@link ChatSink#text}. */
  public void text(String delta) {
    lock.lock();
    try {
      if (state == State.OPEN) {
        target.text(delta);
      }
    } finally {
      lock.unlock();
    }
  }

  /** See {@link ChatSink#toolCall}. */
  public void toolCall(ToolCall call) {
    lock.lock();
    try {
      if (state == State.OPEN) {
        target.toolCall(call);
      }
    } finally {
      lock.unlock();
    }
  }

  /** See {@link ChatSink#completed}. */
  public void completed(String finishReason) {
    lock.lock();
    try {
      if (state == State.OPEN) {
        state = State.COMPLETED;
        target.completed(finishReason);
      }
    } finally {
      lock.unlock();
    }
  }

  /** See {@link ChatSink#failed}. */
  public void failed(String message) {
    lock.lock();
    try {
      if (state == State.OPEN) {
        state = State.FAILED;
        target.failed(message);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Drops everything from now on. Returns once no delivery is in progress. */
  public void close() {
    lock.lock();
    try {
      if (state == State.OPEN) {
        state = State.CLOSED;
      }
    } finally {
      lock.unlock();
    }
  }

  /** Whether the sink takes no more calls (ended or closed). */
  public boolean isDone() {
    lock.lock();
    try {
      return state != State.OPEN;
    } finally {
      lock.unlock();
    }
  }

  /** Whether the call ended with {@link #completed}, the one outcome after which its stream may be read to the end. */
  public boolean isCompleted() {
    lock.lock();
    try {
      return state == State.COMPLETED;
    } finally {
      lock.unlock();
    }
  }
}
