package dev.scopesync.testing;

import com.hazelcast.config.ClasspathXmlConfig;
import com.hazelcast.config.Config;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A private Hazelcast cluster on loopback for one test: the jar's own cluster.xml (TCP-IP join on
 * 127.0.0.1, no multicast, no phone-home) under a cluster name of its own.
 */
public final class ClusterFixture {
  private final String name = "scopesync-test-" + UUID.randomUUID();
  private final Path configFile;

  public ClusterFixture(Path dir) throws IOException {
    String xml;
    try (var in = ClusterFixture.class.getResourceAsStream("/cluster.xml")) {
      xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    configFile = dir.resolve("cluster.xml");
    Files.writeString(
        configFile,
        xml.replace(
            "<cluster-name>scopesync</cluster-name>", "<cluster-name>" + name + "</cluster-name>"));
  }

  /** Config tweak that makes a TestNode join this cluster with the given Redis. */
  public UnaryOperator<JsonObject> node(String redisUrl) {
    return c -> {
      c.getJsonObject("cluster").put("enabled", true).put("configFile", configFile.toString());
      c.getJsonObject("store").put("type", "redis").put("redisUrl", redisUrl);
      return c;
    };
  }

  /** A plain clustered Vert.x (an application using scopesync's client), on loopback. */
  public Vertx client() throws Exception {
    Config hz = new ClasspathXmlConfig("cluster.xml");
    hz.setClusterName(name);
    return Vertx.builder()
        .with(
            new VertxOptions()
                .setEventBusOptions(new EventBusOptions().setHost("127.0.0.1").setPort(0)))
        .withClusterManager(new HazelcastClusterManager(hz))
        .buildClustered()
        .await(60, TimeUnit.SECONDS);
  }
}
