package otterbot.server.internal.chat;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import otterbot.api.orchestration.AgentMessage;
import otterbot.api.orchestration.BusTransport;
import otterbot.server.internal.PublicPort;

/**
 * The {@link BusTransport} {@code socket.io}: every bus message goes to every connected Socket.IO client as
 * {@code bus:message} ({@link BusEvents}), for as long as the public port runs.
 */
@Component(service = BusTransport.class, property = "otterbot.bus.transport=" + BusEvents.ID)
public final class SocketBus implements BusTransport {
  private final BusEvents events;

  @Activate
  public SocketBus(@Reference PublicPort port) {
    events = new BusEvents(port.socketIo());
  }

  @Override
  public String id() {
    return events.id();
  }

  @Override
  public void send(AgentMessage message) {
    events.send(message);
  }

  @Deactivate
  void deactivate() {
    events.close();
  }
}
