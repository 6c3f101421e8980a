package otterbot.server.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

import com.corundumstudio.socketio.scheduler.CancelableScheduler;
import com.corundumstudio.socketio.scheduler.SchedulerKey;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;

/**
 * netty-socketio's timer (pings, ping timeouts, upgrade and first-data timeouts, the connect timeout) with a resolution
 * that follows the ping interval. netty-socketio's {@code HashedWheelTimeoutScheduler} ticks every 100 ms, fine for a
 * 25 s ping interval, but with the 300 ms of the protocol test suites a ping could come up to a third late, and three
 * pings fell behind the 1 s connect timeout. Here a tick is 1% of the ping interval, between 1 and 100 ms: 100 ms, as
 * before, for the default interval. Otherwise it behaves as netty-socketio's: a task scheduled under a key replaces
 * the one before it, and {@link #scheduleCallback} runs on the event loop of the last context given to
 * {@link #update}.
 */
final class PortTimer implements CancelableScheduler {
  private final ConcurrentMap<SchedulerKey, Timeout> scheduled = new ConcurrentHashMap<>();
  private final HashedWheelTimer timer;
  private volatile ChannelHandlerContext ctx;

  PortTimer(ThreadFactory threads, int pingIntervalMillis) {
    long tickMillis = Math.max(1, Math.min(100, pingIntervalMillis / 100));
    this.timer = new HashedWheelTimer(threads, tickMillis, TimeUnit.MILLISECONDS);
  }

  @Override
  public void update(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void cancel(SchedulerKey key) {
    Timeout timeout = scheduled.remove(key);
    if (timeout != null) {
      timeout.cancel();
    }
  }

  @Override
  public void schedule(Runnable runnable, long delay, TimeUnit unit) {
    timer.newTimeout(timeout -> runnable.run(), delay, unit);
  }

  @Override
  public void scheduleCallback(SchedulerKey key, Runnable runnable, long delay, TimeUnit unit) {
    replace(key, timer.newTimeout(timeout -> ctx.executor().execute(() -> {
      scheduled.remove(key, timeout);
      runnable.run();
    }), delay, unit));
  }

  @Override
  public void schedule(SchedulerKey key, Runnable runnable, long delay, TimeUnit unit) {
    replace(key, timer.newTimeout(timeout -> {
      scheduled.remove(key, timeout);
      runnable.run();
    }, delay, unit));
  }

  private void replace(SchedulerKey key, Timeout timeout) {
    Timeout old = timeout.isExpired() ? scheduled.remove(key) : scheduled.put(key, timeout);
    if (old != null && old != timeout) {
      old.cancel();
    }
  }

  @Override
  public void shutdown() {
    timer.stop();
  }
}
