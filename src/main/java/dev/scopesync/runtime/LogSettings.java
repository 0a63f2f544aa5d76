package dev.scopesync.runtime;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import java.util.Iterator;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code log.level} and {@code log.format} (OPAL's {@code LOG_LEVEL} and {@code
 * LOG_SERIALIZE}) to logback once the configuration is read: the root logger's level, and for
 * {@code json} one JSON object per line (logback's {@link JsonEncoder}) on every console or file
 * appender of the root. Call once, at start, before anything worth logging.
 */
public final class LogSettings {
  private LogSettings() {}

  /**
   * @param level a logback level, or one of OPAL's (loguru's) names: WARNING, SUCCESS, CRITICAL
   * @param json whether each line is a JSON object
   */
  public static void apply(String level, boolean json) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      apply(context, level, json);
    }
    // else another slf4j binding: its own configuration rules
  }

  static void apply(LoggerContext context, String level, boolean json) {
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    // INFO is the default of both: leave a logback XML's own root level alone then.
    if (!level.equalsIgnoreCase("INFO")) {
      root.setLevel(levelOf(level));
    }
    if (json) {
      for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
        if (it.next() instanceof OutputStreamAppender<ILoggingEvent> stream) {
          JsonEncoder encoder = new JsonEncoder();
          encoder.setContext(context);
          encoder.start();
          // Swapped in place: stopping the appender would close its stream (System.out for the
          // console).
          stream.setEncoder(encoder);
        }
      }
    }
  }

  static Level levelOf(String name) {
    return switch (name.toUpperCase(Locale.ROOT)) {
      case "WARNING" -> Level.WARN;
      case "CRITICAL" -> Level.ERROR;
      case "SUCCESS" -> Level.INFO;
      default -> Level.toLevel(name, Level.INFO);
    };
  }
}
