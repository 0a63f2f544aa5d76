package dev.scopesync.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/**
 * {@code log.level} and {@code log.format} (OPAL's LOG_LEVEL, LOG_SERIALIZE) on a logback context
 * of the test's own.
 */
class LogSettingsTest {
  private final LoggerContext context = new LoggerContext();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  private void console() {
    context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
    context.start();
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(BuiltInLogConfig.PATTERN);
    encoder.start();
    OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
    appender.setContext(context);
    appender.setEncoder(encoder);
    appender.setOutputStream(out);
    appender.start();
    context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender);
    context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.INFO);
    assertTrue(appender.isStarted(), context.getStatusManager().getCopyOfStatusList().toString());
  }

  @Test
  void jsonWritesOneObjectPerLine() {
    console();
    LogSettings.apply(context, "INFO", true);
    context.getLogger("dev.scopesync.x").info("scope_id={} stored", "tenant-a");
    context.getLogger("dev.scopesync.x").debug("not at INFO");
    String[] lines = out.toString(StandardCharsets.UTF_8).strip().split("\n");
    assertEquals(1, lines.length, out.toString(StandardCharsets.UTF_8));
    JsonObject line = new JsonObject(lines[0]);
    assertEquals("INFO", line.getString("level"));
    assertEquals("dev.scopesync.x", line.getString("loggerName"));
    assertTrue(line.encode().contains("tenant-a"), line.encode());
  }

  @Test
  void opalsLevelNamesAreLogbackLevels() {
    console();
    LogSettings.apply(context, "WARNING", false);
    context.getLogger("a").info("quiet");
    context.getLogger("a").warn("loud");
    String text = out.toString(StandardCharsets.UTF_8);
    assertFalse(text.contains("quiet"));
    assertTrue(text.contains("WARN") && text.contains("loud"), text);
    assertEquals(Level.ERROR, LogSettings.levelOf("CRITICAL"));
    assertEquals(Level.DEBUG, LogSettings.levelOf("debug"));
    assertEquals(Level.INFO, LogSettings.levelOf("SUCCESS"));
  }
}
