package dev.scopesync.http;

import static dev.scopesync.http.JsonAnswers.sendDetail;

import dev.scopesync.auth.AccessPolicy;
import dev.scopesync.bus.Addresses;
import dev.scopesync.config.ServerConfig;
import dev.scopesync.metrics.ServerMetrics;
import dev.scopesync.pubsub.PubSubEndpoint;
import dev.scopesync.serving.ServedBundles;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API's server (DESIGN §6, §15): it listens, and before the router sees a request it
 * applies the edge's guards — the connection limit ({@link ConnectionGuard}), the HTTP version
 * ({@link VersionGate}), the Host rule ({@link HostRule}) — and lets {@link CachedAnswers} answer
 * the bundle requests it can. The routes are {@link RouteTable}'s. Its only state is the edge's:
 * open connections and held long polls ({@link LongPolls}).
 */
public final class HttpVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(HttpVerticle.class);

  private final ServerConfig config;
  private final ServerMetrics metrics;

  /** The API description, read once when the verticle is made (never on an event loop). */
  private final String openApi;

  private HttpServer server;
  private LongPolls longPolls;
  private MessageConsumer<JsonObject> policyUpdates;

  /** OPAL clients' {@code /ws}; null when {@code pubsub.enabled} is false. */
  private PubSubEndpoint pubSub;

  private ConnectionGuard connections;

  public HttpVerticle(ServerConfig config, ServerMetrics metrics) {
    this.openApi = NodeRoutes.readOpenApi();
    this.config = config;
    this.metrics = metrics;
  }

  /** The port the server listens on (useful when configured with 0). */
  public int actualPort() {
    return server.actualPort();
  }

  @Override
  public Future<?> start() {
    AccessPolicy access = AccessPolicy.of(vertx, config);
    if (!access.enabled()) {
      LOG.warn("auth.publicKey is not set: the HTTP API accepts requests without a token");
    }
    longPolls = new LongPolls(vertx);
    ServedBundles served = ServedBundles.of(vertx);
    CachedAnswers cached =
        new CachedAnswers(served, access, metrics, !config.opal().allowedOrigins().isEmpty());
    BundleRoutes bundles =
        new BundleRoutes(
            longPolls,
            cached,
            new OwnerShortcut(vertx, served, metrics, config.shard().forwardTimeoutMillis()));
    metrics.gauge(ServerMetrics.LONG_POLLS_HELD, "OPA long polls held", () -> longPolls.held());
    if (config.webhookSecret() == null) {
      LOG.warn("webhook.secret is not set: POST /webhook accepts unauthenticated pushes");
    }
    policyUpdates =
        vertx
            .eventBus()
            .consumer(
                Addresses.POLICY_UPDATED, m -> longPolls.changed(m.body().getString("scope_id")));
    connections =
        new ConnectionGuard(vertx, config.headerTimeoutSeconds(), config.maxConnections(), metrics);
    metrics.gauge(
        ServerMetrics.HTTP_CONNECTIONS,
        "open HTTP connections (WebSockets included)",
        connections::open);
    if (config.pubsubEnabled()) {
      pubSub = new PubSubEndpoint(vertx, config, access, metrics);
    }
    Router router =
        new RouteTable(vertx, config, metrics, access, bundles, pubSub, openApi).router(vertx);

    Future<Void> pubSubStarted = pubSub == null ? Future.succeededFuture() : pubSub.start();
    HttpServerOptions options =
        PubSubEndpoint.configure(new HttpServerOptions())
            // Netty's form decoder refuses a field over 8 KB by default: a GitHub form delivery is
            // bigger.
            .setMaxFormAttributeSize(config.maxBodyBytes())
            .setMaxFormBufferedBytes(config.maxBodyBytes())
            // HTTP/1.1 only: sniffing for h2c's preface delays the connection (and its header
            // clock)
            // until the client has sent bytes, so a silent client would never be timed out.
            .setHttp2ClearTextEnabled(false);
    return Future.all(policyUpdates.completion(), pubSubStarted)
        .compose(
            ready ->
                vertx
                    .createHttpServer(options)
                    .connectionHandler(
                        connection -> {
                          VersionGate.install(connection);
                          connections.opened(connection);
                        })
                    .invalidRequestHandler(EdgeFailures::answerUndecodable)
                    .requestHandler(
                        request -> {
                          if (!connections.admit(request)) {
                            request
                                .response()
                                .putHeader(HttpHeaders.CONNECTION, "close")
                                .putHeader(HttpHeaders.RETRY_AFTER, "5");
                            sendDetail(
                                request.response(),
                                503,
                                "too many connections (http.maxConnections); retry later");
                            // The header alone closes nothing in Vert.x 5 (it follows the request's
                            // keep-alive).
                            request.connection().close();
                            return;
                          }
                          EdgeFailures.Answer badHost = HostRule.check(request);
                          if (badHost != null) {
                            LOG.warn("{} -> 400: {}", request.method(), badHost.detail());
                            sendDetail(request.response(), 400, badHost.detail());
                          } else if (!cached.answer(request)) {
                            router.handle(request);
                          }
                        })
                    .listen(config.httpPort(), config.httpHost())
                    .onSuccess(
                        s -> {
                          server = s;
                          LOG.info(
                              "HTTP API listening on {}:{}", config.httpHost(), s.actualPort());
                        }));
  }

  @Override
  public Future<?> stop() {
    // Held long polls are answered and OPAL clients' sockets closed (1001) before the server goes.
    return longPolls
        .releaseAll()
        .eventually(() -> pubSub == null ? Future.succeededFuture() : pubSub.stop())
        .eventually(() -> policyUpdates.unregister())
        .eventually(() -> server == null ? Future.succeededFuture() : server.close());
  }

  /** Long-poll requests currently held. */
  public int heldLongPolls() {
    return longPolls.held();
  }
}
