package otterbot.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import otterbot.api.provider.ChatSink;
import otterbot.api.provider.ToolCall;

/**
 * A {@link ChatSink} that records what a provider delivered, in order, and lets a test wait for it. Thread-safe.
 */
public final class RecordingSink implements ChatSink {
  private final List<String> events = new ArrayList<>();
  private final List<String> deltas = new ArrayList<>();
  private final List<ToolCall> toolCalls = new ArrayList<>();
  private final List<String> threads = new ArrayList<>();
  private String finishReason;
  private String failure;
  private int terminals;

  @Override
  public synchronized void text(String delta) {
    record("text:" + delta);
    deltas.add(delta);
  }

  @Override
  public synchronized void toolCall(ToolCall call) {
    record("toolCall:" + call.name());
    toolCalls.add(call);
  }

  @Override
  public synchronized void completed(String reason) {
    record("completed:" + reason);
    finishReason = reason;
    terminals++;
  }

  @Override
  public synchronized void failed(String message) {
    record("failed:" + message);
    failure = message;
    terminals++;
  }

  /**
   * Waits for the call to end.
   *
   * @throws AssertionError when it did not end within the timeout
   */
  public RecordingSink awaitEnd(Duration timeout) throws InterruptedException {
    if (!await(() -> terminals > 0, timeout)) {
      throw new AssertionError("the call did not end within " + timeout + "; events so far: " + events());
    }
    return this;
  }

  /** Waits until at least {@code count} text deltas arrived; false on timeout. */
  public boolean awaitDeltas(int count, Duration timeout) throws InterruptedException {
    return await(() -> deltas.size() >= count, timeout);
  }

  /** Every call the sink received, in order, as {@code text:<delta>}, {@code toolCall:<name>}, ... */
  public synchronized List<String> events() {
    return List.copyOf(events);
  }

  public synchronized List<String> deltas() {
    return List.copyOf(deltas);
  }

  /** The text deltas joined. */
  public synchronized String text() {
    return String.join("", deltas);
  }

  public synchronized List<ToolCall> toolCalls() {
    return List.copyOf(toolCalls);
  }

  /** The reason passed to {@link #completed}, or null. */
  public synchronized String finishReason() {
    return finishReason;
  }

  /** The message passed to {@link #failed}, or null. */
  public synchronized String failure() {
    return failure;
  }

  /** Whether the call ended with {@link #completed(String)} rather than {@link #failed}. */
  public synchronized boolean succeeded() {
    return terminals > 0 && failure == null;
  }

  /** How many terminal calls ({@link #completed} or {@link #failed}) arrived; a correct provider makes it 1. */
  public synchronized int terminalCount() {
    return terminals;
  }

  /** The names of the threads that called the sink, one per event. */
  public synchronized List<String> threads() {
    return List.copyOf(threads);
  }

  private void record(String event) {
    events.add(event);
    threads.add(Thread.currentThread().getName());
    notifyAll();
  }

  private synchronized boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }
}
