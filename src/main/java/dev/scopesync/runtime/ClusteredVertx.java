package dev.scopesync.runtime;

import dev.scopesync.config.ServerConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.internal.VertxBootstrap;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * Builds the Vert.x of a clustered node (Hazelcast). Apart from {@link Server} so that a node with
 * {@code cluster.enabled = false} never loads a Hazelcast class: the JVM resolves this class, and
 * through it Hazelcast, only when {@link #start} is first called.
 */
public final class ClusteredVertx {
  private ClusteredVertx() {}

  /**
   * Joins the cluster {@code cluster.configFile} describes with a Vert.x built from {@code
   * bootstrap}; the other members read {@code nodeMetadata} (what kind of node this is).
   */
  public static Future<Vertx> start(
      VertxBootstrap bootstrap, ServerConfig config, JsonObject nodeMetadata) {
    bootstrap
        .options()
        .setEventBusOptions(
            new EventBusOptions()
                .setHost(config.clusterHost())
                .setPort(0)
                .setClusterNodeMetadata(nodeMetadata));
    return bootstrap
        .clusterManager(
            new HazelcastClusterManager(HazelcastSettings.load(config.clusterConfigFile())))
        .init()
        .clusteredVertx();
  }
}
