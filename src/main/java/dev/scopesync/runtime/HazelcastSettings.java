package dev.scopesync.runtime;

import com.hazelcast.config.ClasspathXmlConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.FileSystemXmlConfig;
import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Hazelcast configuration of a clustered node: {@code cluster.configFile} when it exists, else
 * the jar's {@code cluster.xml} (TCP-IP join on 127.0.0.1, multicast, auto-detection and phone-home
 * off). Never vertx-hazelcast's default, which multicasts. Read once at start, before Vert.x
 * exists.
 */
final class HazelcastSettings {
  private static final Logger LOG = LoggerFactory.getLogger(HazelcastSettings.class);
  static final String BUILT_IN = "cluster.xml";

  private HazelcastSettings() {}

  static Config load(String configFile) {
    Path file = Path.of(configFile);
    if (Files.isRegularFile(file)) {
      try {
        LOG.info("cluster: Hazelcast config from {}", file);
        return new FileSystemXmlConfig(file.toFile());
      } catch (FileNotFoundException e) {
        throw new IllegalStateException("cluster.configFile " + file + " cannot be read", e);
      }
    }
    LOG.info("cluster: {} not found, using the built-in loopback config", file);
    return new ClasspathXmlConfig(BUILT_IN);
  }
}
