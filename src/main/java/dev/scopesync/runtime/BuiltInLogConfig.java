package dev.scopesync.runtime;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.Map;
import org.slf4j.Logger;

/**
 * scopesync's logging when no logback XML is given: one line per event on stdout, INFO and up,
 * Netty, Hazelcast and JGit at WARN ({@code conf/logback.xml} is the same as XML). Set up in code
 * because reading even that small file loads logback's configuration language and the JDK's XML
 * parser: some 800 classes, 40 ms of start and 2.5 MB of RSS.
 *
 * <p>A logback XML still wins, by logback's own rules: {@code -Dlogback.configurationFile} (what
 * {@code scripts/run.sh} passes when {@code conf/logback.xml} exists), or a {@code
 * logback-test.xml} or {@code logback.xml} on the classpath; this configurator then steps aside and
 * logback reads the file. Found by logback through {@code META-INF/services}.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class BuiltInLogConfig extends ContextAwareBase implements Configurator {
  /** The line: time with offset, level, thread, logger, message. */
  public static final String PATTERN =
      "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{24} - %msg%n";

  /** Loggers quieter than the root's INFO. */
  public static final Map<String, Level> LEVELS =
      Map.of(
          "io.netty", Level.WARN,
          "com.hazelcast", Level.WARN,
          "org.eclipse.jgit", Level.WARN,
          // Vert.x shares one gauge among all event-bus handlers (values add up correctly), and
          // Micrometer warns at every start that the second registration "will be ignored".
          "io.micrometer.core.instrument.MeterRegistry", Level.ERROR);

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null
        || onClasspath("logback-test.xml")
        || onClasspath("logback.xml")) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("STDOUT");
    console.setEncoder(encoder);
    console.start();
    LEVELS.forEach((name, level) -> context.getLogger(name).setLevel(level));
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    root.addAppender(console);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  private static boolean onClasspath(String resource) {
    ClassLoader loader = BuiltInLogConfig.class.getClassLoader();
    return loader != null && loader.getResource(resource) != null;
  }
}
