package dev.scopesync;

import dev.scopesync.bridge.BridgeVerticle;
import dev.scopesync.config.ServerConfig;
import dev.scopesync.fetcher.FetcherMembers;
import dev.scopesync.fetcher.FetcherVerticle;
import dev.scopesync.http.HttpVerticle;
import dev.scopesync.metrics.GuardedMetricsFactory;
import dev.scopesync.metrics.ServerMetrics;
import dev.scopesync.runtime.ClusteredVertx;
import dev.scopesync.runtime.ElasticThreadPool;
import dev.scopesync.runtime.JvmSeries;
import dev.scopesync.scope.ScopeVerticle;
import dev.scopesync.store.RedisScopeStore;
import dev.scopesync.store.ScopeStore;
import dev.scopesync.store.file.FileScopeStore;
import dev.scopesync.validation.ScopeParser;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxBootstrap;
import io.vertx.core.transport.Transport;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One scopesync node on a given Vert.x: the fetcher, the scope verticle and the HTTP API, deployed
 * in that order (each one's consumers exist before the next can send to them) and undeployed in
 * reverse.
 */
public final class Server {
  private static final Logger LOG = LoggerFactory.getLogger(Server.class);
  private final Vertx vertx;
  private final List<String> deployments = new ArrayList<>();
  private HttpVerticle http;

  /** Bound once the node is ready, closed when it stops. */
  private Future<JvmSeries> jvmSeries;

  private Server(Vertx vertx) {
    this.vertx = vertx;
  }

  public static Future<Server> start(Vertx vertx, ServerConfig config, ServerMetrics metrics) {
    return start(vertx, config, metrics, new FetcherVerticle(config, metrics));
  }

  /** Starts with a given fetcher (tests inject clocks and faults through it). */
  public static Future<Server> start(
      Vertx vertx, ServerConfig config, ServerMetrics metrics, FetcherVerticle fetcher) {
    Server server = new Server(vertx);
    server.http = new HttpVerticle(config, metrics);
    return server
        .deploy(fetcher)
        .compose(x -> server.deploy(new ScopeVerticle(config, storeFactory(config), metrics)))
        .compose(x -> server.deploy(server.http))
        .compose(
            x ->
                config.bridgeTcpPort() > 0
                    ? server.deploy(new BridgeVerticle(config))
                    : Future.succeededFuture())
        .onSuccess(x -> server.bindJvmSeries(metrics))
        .map(server)
        .recover(e -> server.stop().transform(ignored -> Future.failedFuture(e)));
  }

  /**
   * A Vert.x for one node, with Vert.x's own metrics going to the node's registry. The labels are
   * method, status, route pattern and pool name only: never an event-bus address, which would carry
   * scope ids. Every worker pool (Vert.x's, {@code scopesync-git}, {@code scopesync-bundle}, the
   * store's) starts with no thread, grows with work and lets idle threads go ({@link
   * ElasticThreadPool}). Hazelcast is loaded only for a clustered node ({@link ClusteredVertx}).
   */
  public static Future<Vertx> newVertx(ServerConfig config, ServerMetrics metrics) {
    MicrometerMetricsOptions metricsOptions =
        new MicrometerMetricsOptions()
            .setEnabled(true)
            // The JVM series are bound once the node is ready (bindJvmSeries): not on the start
            // path.
            .setJvmMetricsEnabled(false)
            .setRegistryName("scopesync-" + UUID.randomUUID())
            // Pool names are fixed (vert.x-worker-thread, scopesync-git, …): without them every
            // pool's
            // gauges collided (a WARN at each start) and only the first pool was measured.
            .setLabels(EnumSet.copyOf(ServerMetrics.VERTX_LABELS));
    // Vert.x's public builder cannot take an ExecutorServiceFactory; its bootstrap can. This
    // is what Vertx.builder().with(options).withMetrics(..) does, plus the pools.
    VertxBootstrap bootstrap =
        VertxBootstrap.create()
            .options(new VertxOptions().setMetricsOptions(metricsOptions))
            .metricsFactory(
                new GuardedMetricsFactory(
                    new MicrometerMetricsFactory(metrics.registry()), metrics.registry()))
            .executorServiceFactory(ElasticThreadPool.vertxPools());
    bootstrap.transport(Transport.NIO.implementation());
    if (config.clusterEnabled()) {
      return ClusteredVertx.start(bootstrap, config, FetcherMembers.metadata(config));
    }
    return Future.succeededFuture(bootstrap.init().vertx());
  }

  private void bindJvmSeries(ServerMetrics metrics) {
    jvmSeries =
        vertx
            .executeBlocking(() -> JvmSeries.bindTo(metrics.registry()), false)
            .onFailure(e -> LOG.warn("JVM series not available in /metrics: {}", e.toString()));
  }

  static Function<Vertx, Future<ScopeStore>> storeFactory(ServerConfig config) {
    ScopeParser stored = ScopeParser.forStoredScopes();
    return switch (config.storeType()) {
      case "file" -> v -> FileScopeStore.open(v, config.storeDir(), stored);
      case "redis" -> v -> RedisScopeStore.open(v, config.redisUrl(), stored);
      default ->
          v -> Future.failedFuture("store.type '" + config.storeType() + "' is not available yet");
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

  /**
   * Undeploys in reverse order: no new requests, then scopes, then git (which drains its queues).
   */
  public Future<Void> stop() {
    Future<Void> chain = Future.succeededFuture();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      chain = chain.transform(ignored -> vertx.undeploy(id));
    }
    Future<JvmSeries> series = jvmSeries;
    jvmSeries = null;
    return chain
        .eventually(
            () ->
                series == null
                    ? Future.succeededFuture()
                    : series.onSuccess(JvmSeries::close).otherwiseEmpty())
        .onComplete(ignored -> deployments.clear());
  }
}
