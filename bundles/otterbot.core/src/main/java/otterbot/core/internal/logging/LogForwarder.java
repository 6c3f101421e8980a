package otterbot.core.internal.logging;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * One log format on the console: everything logged through the OSGi Log Service (the framework, DS, ConfigAdmin,
 * FileInstall) and through java.util.logging (Jersey, SPI Fly) is forwarded to slf4j, whose simple provider prints
 * every line the same way.
 */
// Not a LogListener service: we add ourselves to the reader, and a whiteboard registration could log twice.
@Component(immediate = true, service = {})
public final class LogForwarder implements LogListener {
  private final LogReaderService reader;

  @Activate
  public LogForwarder(@Reference LogReaderService reader) {
    this.reader = reader;
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    reader.addLogListener(this);
  }

  @Deactivate
  void deactivate() {
    reader.removeLogListener(this);
    SLF4JBridgeHandler.uninstall();
  }

  @Override
  public void logged(LogEntry entry) {
    Logger log = LoggerFactory.getLogger(entry.getLoggerName() == null ? "osgi" : entry.getLoggerName());
    String bundle = entry.getBundle() == null ? "" : "[" + entry.getBundle().getSymbolicName() + "] ";
    String message = bundle + entry.getMessage();
    Throwable t = entry.getException();
    switch (entry.getLogLevel()) {
      case AUDIT, ERROR -> log.error(message, t);
      case WARN -> log.warn(message, t);
      case INFO -> log.info(message, t);
      case DEBUG -> log.debug(message, t);
      default -> log.trace(message, t);
    }
  }
}
