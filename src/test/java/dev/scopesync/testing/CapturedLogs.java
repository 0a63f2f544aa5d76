package dev.scopesync.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

/**
 * Every log event of the process while attached (its {@code list}), for tests that assert what was
 * or was not logged. {@link #attach} in the set-up, {@link #detach} in the tear-down.
 */
public final class CapturedLogs extends ListAppender<ILoggingEvent> {
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

  public CapturedLogs attach() {
    start();
    root.addAppender(this);
    return this;
  }

  public void detach() {
    root.detachAppender(this);
    stop();
  }
}
