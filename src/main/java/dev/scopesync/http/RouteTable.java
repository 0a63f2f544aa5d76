package dev.scopesync.http;

import static dev.scopesync.http.JsonAnswers.sendDetail;

import dev.scopesync.auth.AccessPolicy;
import dev.scopesync.client.ScopesClient;
import dev.scopesync.config.ServerConfig;
import dev.scopesync.metrics.ServerMetrics;
import dev.scopesync.pubsub.PubSubEndpoint;
import dev.scopesync.pubsub.Topics;
import dev.scopesync.signing.JwtSigner;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.time.Clock;

/**
 * Every route of the HTTP API (DESIGN §6, §12, §17), in one table: its method and pattern, the body
 * it takes, who may call it, and the one handler method that serves it. The handlers live in small
 * classes by area ({@link ScopeRoutes}, {@link BundleRoutes}, {@link DataRoutes}, {@link
 * OpalRoutes}, {@link TokenRoutes}, {@link WebhookRoutes}, {@link NodeRoutes}); every failure is
 * answered by {@link EdgeFailures}. The bundle routes' patterns are {@link CachedAnswers}', which
 * answers them before the router when it can.
 */
final class RouteTable {
  private final ServerConfig config;
  private final ServerMetrics metrics;
  private final CallerRules callers;
  private final ScopeRoutes scopes;
  private final BundleRoutes bundles;
  private final DataRoutes data;
  private final OpalRoutes opal;
  private final TokenRoutes tokens;
  private final WebhookRoutes webhook;
  private final NodeRoutes node;

  /**
   * @param pubSub OPAL clients' {@code /ws}; null when {@code pubsub.enabled} is false (no route)
   * @param openApi the API description ({@link NodeRoutes#readOpenApi})
   */
  RouteTable(
      Vertx vertx,
      ServerConfig config,
      ServerMetrics metrics,
      AccessPolicy access,
      BundleRoutes bundles,
      PubSubEndpoint pubSub,
      String openApi) {
    this.config = config;
    this.metrics = metrics;
    this.callers = new CallerRules(access);
    ScopesClient scopesClient = ScopesClient.create(vertx);
    // The status is each node's own fetcher's: asked of this node, not of any.
    this.scopes = new ScopeRoutes(scopesClient, ScopesClient.local(vertx));
    this.bundles = bundles;
    this.opal = new OpalRoutes(config.opal(), pubSub, System::nanoTime);
    this.data = new DataRoutes(vertx, scopesClient, opal);
    var opalSettings = config.opal();
    this.tokens =
        new TokenRoutes(
            opalSettings.privateKey() == null
                ? null
                : JwtSigner.shared(
                    opalSettings.privateKey(),
                    opalSettings.privateKeyPassphrase(),
                    config.authAlgorithm()),
            opalSettings.masterToken(),
            config.authAudience(),
            config.authIssuer(),
            Clock.systemUTC());
    this.webhook = new WebhookRoutes(vertx, config, metrics);
    this.node = new NodeRoutes(vertx, config, openApi);
  }

  /** A router with every route, for the HTTP verticle's server. */
  Router router(Vertx vertx) {
    Router router = Router.router(vertx);
    // First, before any route matches on it: a path Vert.x cannot decode is the client's error.
    router.route().handler(EdgeFailures::requireDecodablePath);
    if (!config.opal().allowedOrigins().isEmpty()) {
      // Before every route, /ws included: a preflight is answered here, whatever the path.
      router.route().handler(Cors.handler(config.opal().allowedOrigins()));
    }
    if (config.pubsubEnabled()) {
      // Before the body handler: an upgrade has no body to read, and the endpoint decides it.
      router.get("/ws").handler(opal::webSocket);
    }
    BodyGate body = new BodyGate(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()));
    Handler<RoutingContext> json = body.accepting(BodyGate.Accepts.JSON);
    Handler<RoutingContext> none = body.accepting(BodyGate.Accepts.NOTHING);

    // Each route: what body it takes (415 for any other, before a decoder sees it), then who may
    // call it (CallerRules), then its handler.
    router.put("/scopes").handler(json).handler(callers.datasource()).handler(scopes::put);
    router.get("/scopes").handler(none).handler(callers.datasource()).handler(scopes::list);
    router
        .post("/scopes/refresh")
        .handler(json)
        .handler(callers.datasource())
        .handler(scopes::refreshAll);
    router.get("/scopes/:scopeId").handler(none).handler(callers.datasource()).handler(scopes::get);
    router
        .get("/scopes/:scopeId/status")
        .handler(none)
        .handler(callers.datasource())
        .handler(scopes::status);
    router
        .delete("/scopes/:scopeId")
        .handler(none)
        .handler(callers.datasource())
        .handler(scopes::delete);
    router
        .post("/scopes/:scopeId/refresh")
        .handler(json)
        .handler(callers.datasource())
        .handler(scopes::refresh);
    router
        .get(CachedAnswers.SCOPE_POLICY_ROUTE)
        .handler(none)
        .handler(callers.scopeReader())
        .handler(ctx -> bundles.policy(ctx, ctx.pathParam("scopeId")));
    router
        .get(CachedAnswers.SCOPE_TAR_ROUTE)
        .handler(none)
        .handler(callers.scopeReader())
        .handler(ctx -> bundles.opaBundle(ctx, ctx.pathParam("scopeId")));
    router
        .get("/scopes/:scopeId/data")
        .handler(none)
        .handler(callers.scopeReader())
        .handler(ctx -> data.scopeData(ctx, ctx.pathParam("scopeId")));
    router
        .post("/scopes/:scopeId/data/update")
        .handler(json)
        .handler(callers.datasource())
        .handler(ctx -> data.updateScope(ctx, CallerRules.claims(ctx)));
    // OPAL's non-scoped client (no OPAL_SCOPE_ID): served from the scope named default. OPAL asks
    // only for a valid token on these routes.
    router
        .get(CachedAnswers.DEFAULT_POLICY_ROUTE)
        .handler(none)
        .handler(callers.anyCaller())
        .handler(ctx -> bundles.policy(ctx, Topics.DEFAULT_SCOPE));
    router
        .get("/data/config")
        .handler(none)
        .handler(callers.anyCaller())
        .handler(data::nonScopedDataConfig);
    router
        .post("/data/config")
        .handler(json)
        .handler(callers.datasource())
        .handler(ctx -> data.publishNonScoped(ctx, CallerRules.claims(ctx)));
    // OPAL's probes (its helm chart checks /healthcheck), defaults its clients call, limiter,
    // statistics.
    router.post("/token").handler(json).handler(tokens::mint);
    router.get("/.well-known/jwks.json").handler(none).handler(tokens::jwks);
    router.get("/").handler(none).handler(opal::health);
    router.get("/healthcheck").handler(none).handler(opal::health);
    router.get("/policy-data").handler(none).handler(opal::policyData);
    router
        .post("/data/callback_report")
        .handler(json)
        .handler(callers.anyCaller())
        .handler(ctx -> opal.callbackReport(ctx, JsonBodies.of(ctx)));
    router.get("/loadlimit").handler(none).handler(callers.anyCaller()).handler(opal::loadLimit);
    router.get("/statistics").handler(none).handler(callers.anyCaller()).handler(opal::statistics);
    router.get("/stats").handler(none).handler(callers.anyCaller()).handler(opal::stats);
    router
        .post("/webhook")
        .handler(body.accepting(BodyGate.Accepts.JSON_OR_FORM))
        .handler(webhook::push);
    // This node: probes, Prometheus text, the API description, the bundle signing key, its stats.
    router.get("/healthz").handler(none).handler(node::healthz);
    router
        .get("/metrics")
        .handler(none)
        .handler(PrometheusScrapingHandler.create(metrics.registry()));
    router.get("/ready").handler(none).handler(node::ready);
    router.get("/openapi.json").handler(none).handler(node::openApi);
    router.get("/bundles/signing-key").handler(none).handler(node::signingKey);
    router
        .get("/internal/stats")
        .handler(none)
        .handler(callers.datasource())
        .handler(node::internalStats);

    router.route().failureHandler(EdgeFailures::answerFailed);
    router.errorHandler(404, ctx -> sendDetail(ctx, 404, "Not Found"));
    router.errorHandler(405, ctx -> sendDetail(ctx, 405, "Method Not Allowed"));
    return router;
  }
}
