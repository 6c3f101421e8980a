package otterbot.core.internal.bus;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import otterbot.api.chat.ChatListener;
import otterbot.api.chat.ChatService;
import otterbot.api.chat.ChatTurn;
import otterbot.api.chat.StreamChunk;

/** Runs one chat turn of an agent to its end and returns what it said: how the bus and subagents make agents work. */
final class TurnRunner {
  private TurnRunner() {}

  /**
   * @param text the final text (possibly empty)
   * @param error the first error chunk's message, or null
   */
  record Outcome(String text, String error) {}

  /**
   * Joins {@code conversationId} (a fresh one when it belongs to another agent) and runs the turn; interruptible.
   *
   * @param timeout how long the turn may take here (the turn is cancelled after it), or null for the turn's own
   *     deadline only
   */
  static Outcome run(ChatService chat, String agentId, String conversationId, String text, Duration timeout)
      throws InterruptedException {
    String conversation = chat.join(agentId, conversationId).conversationId();
    var out = new StringBuilder();
    var error = new String[1];
    var done = new CountDownLatch(1);
    ChatTurn turn = chat.send(agentId, conversation, text, new ChatListener() {
      @Override
      public void chunk(StreamChunk chunk) {
        synchronized (out) {
          if (StreamChunk.TOKEN.equals(chunk.kind())) {
            out.append(chunk.text());
          } else if (StreamChunk.ERROR.equals(chunk.kind()) && error[0] == null) {
            error[0] = chunk.message();
          }
        }
      }

      @Override
      public void done() {
        done.countDown();
      }
    });
    try {
      if (timeout == null) {
        done.await();
      } else if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        turn.cancel();
        return new Outcome("", "no answer within " + Math.max(1, timeout.toSeconds())
            + " s, the time the requester waits");
      }
    } catch (InterruptedException e) {
      turn.cancel();
      throw e;
    }
    synchronized (out) {
      return new Outcome(out.toString(), error[0]);
    }
  }
}
