package dev.scopesync.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class BuiltInLogConfigTest {
  @Test
  void theExampleXmlSaysWhatTheBuiltInConfigDoes() throws Exception {
    String xml = Files.readString(Path.of("conf/logback.xml"));

    Matcher pattern = Pattern.compile("<pattern>(.*)</pattern>").matcher(xml);
    assertTrue(pattern.find(), "the example has a pattern");
    assertEquals(BuiltInLogConfig.PATTERN, pattern.group(1));
    Map<String, String> levels = new LinkedHashMap<>();
    Matcher logger = Pattern.compile("<logger name=\"([^\"]+)\" level=\"([A-Z]+)\"/>").matcher(xml);
    while (logger.find()) {
      levels.put(logger.group(1), logger.group(2));
    }
    Map<String, String> builtIn = new LinkedHashMap<>();
    BuiltInLogConfig.LEVELS.forEach((name, level) -> builtIn.put(name, level.toString()));
    assertEquals(builtIn, Map.copyOf(levels));
    assertTrue(xml.contains("<root level=\"INFO\">"));
  }

  @Test
  void aLogbackXmlOnTheClasspathWins() {
    // The test classpath has logback-test.xml: logback must read it, so the built-in steps aside.
    LoggerContext context = new LoggerContext();
    BuiltInLogConfig config = new BuiltInLogConfig();
    config.setContext(context);

    assertEquals(ExecutionStatus.INVOKE_NEXT_IF_ANY, config.configure(context));
    assertNull(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDOUT"));
  }
}
