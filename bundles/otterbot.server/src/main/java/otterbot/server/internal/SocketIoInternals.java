package otterbot.server.internal;

import java.lang.reflect.Field;

import com.corundumstudio.socketio.SocketIOChannelInitializer;
import com.corundumstudio.socketio.SocketIOServer;
import com.corundumstudio.socketio.handler.ClientsBox;
import com.corundumstudio.socketio.scheduler.CancelableScheduler;

import io.netty.channel.EventLoopGroup;

/**
 * The private fields of netty-socketio 2.0.14 that the port has to touch, in one place. netty-socketio creates its
 * event loops and its timer itself, with Netty's default thread names and a four-second shutdown, and offers no
 * setter; these are the smallest changes that make the port's threads ours.
 *
 * <p>Every caller has a fallback for a netty-socketio where the fields moved ({@link ReflectiveOperationException}):
 * the port then works as before, only with netty-socketio's own threads.
 */
final class SocketIoInternals {
  private SocketIoInternals() {}

  /** Makes {@code server.startAsync()} use our groups; call from {@code initGroups()}. */
  static void useGroups(SocketIOServer server, EventLoopGroup boss, EventLoopGroup workers)
      throws ReflectiveOperationException {
    field(SocketIOServer.class, "bossGroup").set(server, boss);
    field(SocketIOServer.class, "workerGroup").set(server, workers);
  }

  /** The timer a pipeline factory creates in its constructor (its thread starts with the first timeout). */
  static CancelableScheduler scheduler(SocketIOChannelInitializer initializer) throws ReflectiveOperationException {
    return (CancelableScheduler) field(SocketIOChannelInitializer.class, "scheduler").get(initializer);
  }

  /** Replaces that timer; only before {@code start()}, which hands it to every handler. */
  static void setScheduler(SocketIOChannelInitializer initializer, CancelableScheduler scheduler)
      throws ReflectiveOperationException {
    field(SocketIOChannelInitializer.class, "scheduler").set(initializer, scheduler);
  }

  /** netty-socketio's registry of Engine.IO sessions, by id and by channel. */
  static ClientsBox clientsBox(SocketIOChannelInitializer initializer) throws ReflectiveOperationException {
    return (ClientsBox) field(SocketIOChannelInitializer.class, "clientsBox").get(initializer);
  }

  /** The live Engine.IO sessions of that registry (its private map by session id), for counting them. */
  static java.util.Map<?, ?> sessions(ClientsBox clientsBox) throws ReflectiveOperationException {
    return (java.util.Map<?, ?>) field(ClientsBox.class, "uuid2clients").get(clientsBox);
  }

  /** The pipeline factory a server creates in its constructor, before {@code setPipelineFactory} replaces it. */
  static SocketIOChannelInitializer defaultPipelineFactory(SocketIOServer server) throws ReflectiveOperationException {
    return (SocketIOChannelInitializer) field(SocketIOServer.class, "pipelineFactory").get(server);
  }

  private static Field field(Class<?> type, String name) throws NoSuchFieldException {
    Field field = type.getDeclaredField(name);
    field.setAccessible(true);
    return field;
  }
}
