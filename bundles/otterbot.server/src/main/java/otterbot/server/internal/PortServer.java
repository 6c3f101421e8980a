package otterbot.server.internal;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketIOServer;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.Future;

/**
 * netty-socketio's server running on event loops we own. Its {@code stop()} shuts the boss and then the worker group
 * down with Netty's default two-second quiet period each, about four seconds in total, which is what a framework
 * stop or a bundle refresh would wait for. Our loops stop with no quiet period, in parallel.
 *
 * <p>{@link SocketIOServer#initGroups()} is the hook 2.0.14 offers, but the groups it fills are private fields, so we
 * set them through {@link SocketIoInternals}. Should a later netty-socketio rename them, we fall back to its own
 * groups: the port works the same and only stopping is slow again (with a warning in the log).
 */
final class PortServer extends SocketIOServer {
  private static final Logger LOG = LoggerFactory.getLogger(PortServer.class);
  /** Upper bound for closing the channels and running what is left in the loops' queues. */
  private static final long SHUTDOWN_TIMEOUT_MILLIS = 500;

  private final PortThreads threads;
  private final int workerThreads;
  private final PortChannelInitializer initializer;
  private EventLoopGroup boss;
  private EventLoopGroup workers;

  PortServer(Configuration configuration, int workerThreads, PortThreads threads, PortChannelInitializer initializer) {
    super(configuration);
    this.threads = threads;
    this.workerThreads = workerThreads;
    this.initializer = initializer;
    discardDefaultPipelineFactory();
    setPipelineFactory(initializer);
  }

  /**
   * The constructor above already made a pipeline factory, and with it a timer, which Netty reports as a leak
   * ({@code LEAK: HashedWheelTimer.release() was not called}) once it is garbage-collected without being stopped.
   */
  private void discardDefaultPipelineFactory() {
    try {
      SocketIoInternals.scheduler(SocketIoInternals.defaultPipelineFactory(this)).shutdown();
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.debug("Could not stop the unused default timer: {}", e.toString());
    }
  }

  @Override
  protected void initGroups() {
    EventLoopGroup acceptor = new NioEventLoopGroup(1, threads.factory("accept"));
    EventLoopGroup io = new NioEventLoopGroup(workerThreads, threads.factory("io"));
    try {
      SocketIoInternals.useGroups(this, acceptor, io);
      boss = acceptor;
      workers = io;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("This netty-socketio does not let the port use its own threads ({}); stopping will take seconds",
          e.toString());
      acceptor.shutdownGracefully(0, 0, MILLISECONDS);
      io.shutdownGracefully(0, 0, MILLISECONDS);
      super.initGroups();
    }
  }

  @Override
  public void stop() {
    if (boss == null) {
      super.stop();
      return;
    }
    Future<?> acceptorStopped = boss.shutdownGracefully(0, SHUTDOWN_TIMEOUT_MILLIS, MILLISECONDS);
    Future<?> ioStopped = workers.shutdownGracefully(0, SHUTDOWN_TIMEOUT_MILLIS, MILLISECONDS);
    acceptorStopped.awaitUninterruptibly(2 * SHUTDOWN_TIMEOUT_MILLIS);
    ioStopped.awaitUninterruptibly(2 * SHUTDOWN_TIMEOUT_MILLIS);
    initializer.stop(); // what super.stop() does after the groups: store factory and timer
  }
}
