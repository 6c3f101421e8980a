package otterbot.server.internal;

import java.util.ArrayList;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.corundumstudio.socketio.SocketIOServer;

import otterbot.server.socketio.SocketIoExtension;

/**
 * The {@link SocketIoExtension} whiteboard: attaches every registered extension to the public port's Socket.IO server
 * and detaches it when either goes. An extension that throws is logged and left out; the port goes on.
 */
@Component(immediate = true, service = {})
public final class SocketIoExtensions {
  private static final Logger LOG = LoggerFactory.getLogger(SocketIoExtensions.class);

  private final SocketIOServer server;
  private final List<SocketIoExtension> attached = new ArrayList<>();

  @Activate
  public SocketIoExtensions(@Reference PublicPort port) {
    this.server = port.socketIo();
  }

  @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
  synchronized void addExtension(SocketIoExtension extension) {
    try {
      extension.attach(server);
      attached.add(extension);
    } catch (RuntimeException e) {
      LOG.warn("Socket.IO extension {} failed to attach; left out", extension.getClass().getName(), e);
    }
  }

  synchronized void removeExtension(SocketIoExtension extension) {
    if (attached.remove(extension)) {
      detach(extension);
    }
  }

  @Deactivate
  synchronized void deactivate() {
    attached.forEach(this::detach);
    attached.clear();
  }

  private void detach(SocketIoExtension extension) {
    try {
      extension.detach(server);
    } catch (RuntimeException e) {
      LOG.warn("Socket.IO extension {} failed to detach", extension.getClass().getName(), e);
    }
  }
}
