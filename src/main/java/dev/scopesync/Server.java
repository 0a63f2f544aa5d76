package dev.scopesync;

import dev.scopesync.bridge.BridgeVerticle;
import dev.scopesync.config.ServerConfig;
import dev.scopesync.fetcher.FetcherVerticle;
import dev.scopesync.http.HttpVerticle;
import dev.scopesync.metrics.ServerMetrics;
import dev.scopesync.scope.FileScopeStore;
import dev.scopesync.scope.RedisScopeStore;
import dev.scopesync.scope.ScopeParser;
import dev.scopesync.scope.ScopeStore;
import dev.scopesync.scope.ScopeVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.EnumSet;
import java.util.UUID;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One scopesync node on a given Vert.x: the fetcher, the scope verticle and the HTTP API,
 * deployed in that order (each one's consumers exist before the next can send to them)
 * and undeployed in reverse.
 */
public final class Server {
  private final Vertx vertx;
  private final List<String> deployments = new ArrayList<>();
  private HttpVerticle http;

  private Server(Vertx vertx) {
    this.vertx = vertx;
  }

  public static Future<Server> start(Vertx vertx, ServerConfig config, ServerMetrics metrics) {
    return start(vertx, config, metrics, new FetcherVerticle(config, metrics));
  }

  /** Starts with a given fetcher (tests inject clocks and faults through it). */
  public static Future<Server> start(Vertx vertx, ServerConfig config, ServerMetrics metrics,
      FetcherVerticle fetcher) {
    Server server = new Server(vertx);
    server.http = new HttpVerticle(config, metrics);
    return server.deploy(fetcher)
        .compose(x -> server.deploy(new ScopeVerticle(config, storeFactory(config), metrics)))
        .compose(x -> server.deploy(server.http))
        .compose(x -> config.bridgeTcpPort() > 0 ? server.deploy(new BridgeVerticle(config)) : Future.succeededFuture())
        .map(server)
        .recover(e -> server.stop().transform(ignored -> Future.failedFuture(e)));
  }

  /**
   * A Vert.x for one node, with Vert.x's own metrics going to the node's registry. The
   * labels are method, status and route pattern only: never an event-bus address, which
   * would carry scope ids.
   */
  public static Future<Vertx> newVertx(ServerConfig config, ServerMetrics metrics) {
    MicrometerMetricsOptions metricsOptions = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        .setRegistryName("scopesync-" + UUID.randomUUID())
        .setLabels(EnumSet.of(Label.HTTP_METHOD, Label.HTTP_CODE, Label.HTTP_ROUTE));
    VertxOptions options = new VertxOptions().setMetricsOptions(metricsOptions);
    if (!config.clusterEnabled()) {
      return Future.succeededFuture(Vertx.builder()
          .with(options)
          .withMetrics(new MicrometerMetricsFactory(metrics.registry()))
          .build());
    }
    options.setEventBusOptions(new EventBusOptions().setHost(config.clusterHost()).setPort(0));
    return Vertx.builder()
        .with(options)
        .withMetrics(new MicrometerMetricsFactory(metrics.registry()))
        .withClusterManager(new HazelcastClusterManager(HazelcastSettings.load(config.clusterConfigFile())))
        .buildClustered();
  }

  static Function<Vertx, Future<ScopeStore>> storeFactory(ServerConfig config) {
    ScopeParser stored = ScopeParser.forStoredScopes();
    return switch (config.storeType()) {
      case "file" -> v -> FileScopeStore.open(v, config.storeDir(), stored);
      case "redis" -> v -> RedisScopeStore.open(v, config.redisUrl(), stored);
      default -> v -> Future.failedFuture("store.type '" + config.storeType() + "' is not available yet");
    };
  }

  private Future<String> deploy(io.vertx.core.Deployable verticle) {
    return vertx.deployVerticle(verticle).onSuccess(deployments::add);
  }

  public int httpPort() {
    return http.actualPort();
  }

  /** OPA long polls currently held by this node's HTTP API. */
  public int heldLongPolls() {
    return http.heldLongPolls();
  }

  /** Undeploys in reverse order: no new requests, then scopes, then git (which drains its queues). */
  public Future<Void> stop() {
    Future<Void> chain = Future.succeededFuture();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      chain = chain.transform(ignored -> vertx.undeploy(id));
    }
    return chain.onComplete(ignored -> deployments.clear());
  }
}
