package dev.scopesync.http;

import static dev.scopesync.http.JsonAnswers.sendDetail;
import static dev.scopesync.http.JsonAnswers.sendJson;

import dev.scopesync.bus.Addresses;
import dev.scopesync.bus.Delivery;
import dev.scopesync.bus.Failures;
import dev.scopesync.config.ServerConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.HttpException;
import dev.scopesync.auth.AccessPolicy;
import dev.scopesync.auth.AuthFailure;
import dev.scopesync.auth.Claims;
import dev.scopesync.metrics.ServerMetrics;
import dev.scopesync.serving.ServedBundles;
import dev.scopesync.pubsub.PubSubEndpoint;
import dev.scopesync.signing.JwtSigner;
import dev.scopesync.pubsub.Topics;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import dev.scopesync.webhook.WebhookPayload;
import io.vertx.core.Handler;
import dev.scopesync.webhook.PushEvent;
import io.vertx.micrometer.PrometheusScrapingHandler;
import dev.scopesync.webhook.PushEvents;
import dev.scopesync.webhook.WebhookException;
import dev.scopesync.webhook.WebhookParams;
import dev.scopesync.webhook.WebhookParser;
import dev.scopesync.webhook.WebhookSignature;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Translates HTTP to event-bus requests and back (DESIGN §6): every route is one handler
 * method (the bundle routes are {@link BundleRoutes}'), and every failure becomes a status and
 * a JSON {@code detail} in {@link #fail}. Its only state is the edge's: open connections
 * ({@link ConnectionGuard}) and held long polls ({@link LongPolls}).
 */
public final class HttpVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(HttpVerticle.class);

  private final ServerConfig config;
  private final WebhookSignature webhookSignature;
  private final ServerMetrics metrics;
  /** The API description, read once when the verticle is made (never on an event loop). */
  private final String openApi;
  /** The public half of {@code bundles.signingKey} (SPKI PEM), or null when bundles are not signed. */
  private final String signingKeyPem;
  private HttpServer server;
  private LongPolls longPolls;
  private BundleRoutes bundles;
  private AccessPolicy access;
  /** The verified caller of a request, for the handlers after the auth step. */
  private static final String CLAIMS = "scopesync.claims";
  private MessageConsumer<JsonObject> policyUpdates;
  /** OPAL clients' {@code /ws}; null when {@code pubsub.enabled} is false. */
  private PubSubEndpoint pubSub;
  private ConnectionGuard connections;

  public HttpVerticle(ServerConfig config, ServerMetrics metrics) {
    this.openApi = readOpenApi();
    var signer = config.bundleSigner();
    this.signingKeyPem = signer == null ? null : signer.publicKeyPem();
    this.config = config;
    this.metrics = metrics;
    this.webhookSignature = config.webhookSecret() == null ? null : new WebhookSignature(config.webhookSecret());
  }

  /** The port the server listens on (useful when configured with 0). */
  public int actualPort() {
    return server.actualPort();
  }

  @Override
  public Future<?> start() {
    access = AccessPolicy.of(vertx, config);
    if (!access.enabled()) {
      LOG.warn("auth.publicKey is not set: the HTTP API accepts requests without a token");
    }
    longPolls = new LongPolls(vertx);
    CachedAnswers cached = new CachedAnswers(ServedBundles.of(vertx), access, metrics, !config.opal().allowedOrigins().isEmpty());
    bundles = new BundleRoutes(vertx, longPolls, cached);
    metrics.gauge(ServerMetrics.LONG_POLLS_HELD, "OPA long polls held", () -> longPolls.held());
    if (webhookSignature == null) {
      LOG.warn("webhook.secret is not set: POST /webhook accepts unauthenticated pushes");
    }
    policyUpdates = vertx.eventBus().consumer(Addresses.POLICY_UPDATED,
        m -> longPolls.changed(m.body().getString("scope_id")));
    connections = new ConnectionGuard(vertx, config.headerTimeoutSeconds(), config.maxConnections(), metrics);
    metrics.gauge(ServerMetrics.HTTP_CONNECTIONS, "open HTTP connections (WebSockets included)", connections::open);
    Router router = Router.router(vertx);
    // First, before any route matches on it: a path Vert.x cannot decode is the client's error.
    router.route().handler(this::decodablePath);
    if (!config.opal().allowedOrigins().isEmpty()) {
      // Before every route, /ws included: a preflight is answered here, whatever the path.
      router.route().handler(Cors.handler(config.opal().allowedOrigins()));
    }
    if (config.pubsubEnabled()) {
      pubSub = new PubSubEndpoint(vertx, config, access, metrics);
      // Before the body handler: an upgrade has no body to read, and the endpoint decides it.
      router.get("/ws").handler(this::pubSub);
    }
    OpalRoutes opal = new OpalRoutes(config.opal(), pubSub, System::nanoTime);
    DataRoutes data = new DataRoutes(vertx, opal);
    BodyGate body = new BodyGate(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()));
    Handler<RoutingContext> json = body.accepting(BodyGate.Accepts.JSON);
    Handler<RoutingContext> none = body.accepting(BodyGate.Accepts.NOTHING);

    // Each route: what body it takes (415 for any other, before a decoder sees it), then who may
    // call it (OPAL's rules, DESIGN §6: management needs a datasource token, a scope's policy and
    // data need the scope in allowed_scopes; off without auth.publicKey), then its handler.
    router.put("/scopes").handler(json).handler(datasource()).handler(this::putScope);
    router.get("/scopes").handler(none).handler(datasource()).handler(this::listScopes);
    router.post("/scopes/refresh").handler(json).handler(datasource()).handler(this::refreshAll);
    router.get("/scopes/:scopeId").handler(none).handler(datasource()).handler(this::getScope);
    router.delete("/scopes/:scopeId").handler(none).handler(datasource()).handler(this::deleteScope);
    router.post("/scopes/:scopeId/refresh").handler(json).handler(datasource()).handler(this::refreshScope);
    router.get(CachedAnswers.SCOPE_POLICY_ROUTE).handler(none).handler(scopeReader()).handler(ctx -> bundles.policy(ctx, ctx.pathParam("scopeId")));
    router.get(CachedAnswers.SCOPE_TAR_ROUTE).handler(none).handler(scopeReader()).handler(ctx -> bundles.opaBundle(ctx, ctx.pathParam("scopeId")));
    router.get("/scopes/:scopeId/data").handler(none).handler(scopeReader()).handler(ctx -> data.scopeData(ctx, ctx.pathParam("scopeId")));
    router.post("/scopes/:scopeId/data/update").handler(json).handler(datasource()).handler(ctx -> data.updateScope(ctx, claims(ctx)));
    // OPAL's non-scoped client (no OPAL_SCOPE_ID): served from the scope named default. OPAL asks
    // only for a valid token on these routes.
    router.get(CachedAnswers.DEFAULT_POLICY_ROUTE).handler(none).handler(anyCaller()).handler(ctx -> bundles.policy(ctx, Topics.DEFAULT_SCOPE));
    router.get("/data/config").handler(none).handler(anyCaller()).handler(data::nonScopedDataConfig);
    router.post("/data/config").handler(json).handler(datasource()).handler(ctx -> data.publishNonScoped(ctx, claims(ctx)));
    // OPAL's probes (its helm chart checks /healthcheck), defaults its clients call, limiter, statistics.
    var opalSettings = config.opal();
    TokenRoutes tokens = new TokenRoutes(opalSettings.privateKey() == null ? null
        : JwtSigner.of(opalSettings.privateKey(), opalSettings.privateKeyPassphrase(), config.authAlgorithm()),
        opalSettings.masterToken(),
        config.authAudience(), config.authIssuer(), java.time.Clock.systemUTC());
    router.post("/token").handler(json).handler(tokens::mint);
    router.get("/.well-known/jwks.json").handler(none).handler(tokens::jwks);
    router.get("/").handler(none).handler(opal::health);
    router.get("/healthcheck").handler(none).handler(opal::health);
    router.get("/policy-data").handler(none).handler(opal::policyData);
    router.post("/data/callback_report").handler(json).handler(anyCaller()).handler(ctx -> opal.callbackReport(ctx, JsonBodies.of(ctx)));
    router.get("/loadlimit").handler(none).handler(anyCaller()).handler(opal::loadLimit);
    router.get("/statistics").handler(none).handler(anyCaller()).handler(opal::statistics);
    router.get("/stats").handler(none).handler(anyCaller()).handler(opal::stats);
    router.post("/webhook").handler(body.accepting(BodyGate.Accepts.JSON_OR_FORM)).handler(this::webhook);
    router.get("/healthz").handler(none).handler(this::healthz);
    router.get("/metrics").handler(none).handler(PrometheusScrapingHandler.create(metrics.registry()));
    router.get("/ready").handler(none).handler(this::ready);
    router.get("/openapi.json").handler(none).handler(this::openApi);
    router.get("/bundles/signing-key").handler(none).handler(this::signingKey);
    router.get("/internal/stats").handler(none).handler(datasource()).handler(this::internalStats);

    router.route().failureHandler(this::fail);
    router.errorHandler(404, ctx -> sendDetail(ctx, 404, "Not Found"));
    router.errorHandler(405, ctx -> sendDetail(ctx, 405, "Method Not Allowed"));

    Future<Void> pubSubStarted = pubSub == null ? Future.succeededFuture() : pubSub.start();
    HttpServerOptions options = PubSubEndpoint.configure(new HttpServerOptions())
        // Netty's form decoder refuses a field over 8 KB by default: a GitHub form delivery is bigger.
        .setMaxFormAttributeSize(config.maxBodyBytes())
        .setMaxFormBufferedBytes(config.maxBodyBytes())
        // HTTP/1.1 only: sniffing for h2c's preface delays the connection (and its header clock)
        // until the client has sent bytes, so a silent client would never be timed out.
        .setHttp2ClearTextEnabled(false);
    return Future.all(policyUpdates.completion(), pubSubStarted).compose(ready -> vertx
        .createHttpServer(options)
        .connectionHandler(connection -> {
          VersionGate.install(connection);
          connections.opened(connection);
        })
        .invalidRequestHandler(HttpVerticle::invalidRequest)
        .requestHandler(request -> {
          if (!connections.admit(request)) {
            request.response().putHeader(HttpHeaders.CONNECTION, "close").putHeader(HttpHeaders.RETRY_AFTER, "5");
            sendDetail(request.response(), 503, "too many connections (http.maxConnections); retry later");
            // The header alone closes nothing in Vert.x 5 (it follows the request's keep-alive).
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
        .onSuccess(s -> {
          server = s;
          LOG.info("HTTP API listening on {}:{}", config.httpHost(), s.actualPort());
        }));
  }

  @Override
  public Future<?> stop() {
    // Held long polls are answered and OPAL clients' sockets closed (1001) before the server goes.
    return longPolls.releaseAll()
        .eventually(() -> pubSub == null ? Future.succeededFuture() : pubSub.stop())
        .eventually(() -> policyUpdates.unregister())
        .eventually(() -> server == null ? Future.succeededFuture() : server.close());
  }

  /** Long-poll requests currently held. */
  public int heldLongPolls() {
    return longPolls.held();
  }

  // --- routes ----------------------------------------------------------------------------

  private void putScope(RoutingContext ctx) {
    Object scope = JsonBodies.of(ctx);
    JsonObject request = new JsonObject().put("scope", scope).put("force_fetch", flag(ctx, "force_fetch"));
    ask(ctx, Addresses.SCOPES_PUT, request).onSuccess(reply -> ctx.response().setStatusCode(201).end());
  }

  /**
   * Every scope, streamed page by page; or, with {@code ?limit=N[&after=ID]}, one page in id
   * order with a {@code Link: <…>; rel="next"} header while more remain (DESIGN §13).
   */
  private void listScopes(RoutingContext ctx) {
    String after = ctx.queryParams().get("after");
    String limitText = ctx.queryParams().get("limit");
    if (limitText == null) {
      ScopeListing.stream(ctx.response(), after, page -> ask(ctx, Addresses.SCOPES_LIST, page));
      return;
    }
    int limit = ScopeListing.limit(limitText);
    JsonObject request = new JsonObject().put("limit", limit).put("after", after);
    ask(ctx, Addresses.SCOPES_LIST, request).onSuccess(reply -> {
      String next = reply.getString("next");
      if (next != null) {
        ctx.response().putHeader("Link", ScopeListing.nextLink(limit, next));
      }
      sendJson(ctx, 200, reply.getJsonArray("scopes").encode());
    });
  }

  private void getScope(RoutingContext ctx) {
    ask(ctx, Addresses.SCOPES_GET, idOf(ctx)).onSuccess(reply -> sendJson(ctx, 200, reply.encode()));
  }

  private void deleteScope(RoutingContext ctx) {
    ask(ctx, Addresses.SCOPES_DELETE, idOf(ctx)).onSuccess(reply -> ctx.response().setStatusCode(204).end());
  }

  private void refreshScope(RoutingContext ctx) {
    JsonObject request = idOf(ctx);
    String hint = ctx.queryParams().get("hinted_hash");
    if (hint != null) {
      request.put("hinted_hash", hint);
    }
    ask(ctx, Addresses.SCOPES_REFRESH, request).onSuccess(reply -> sendJson(ctx, 200, reply.encode()));
  }

  private void refreshAll(RoutingContext ctx) {
    ask(ctx, Addresses.SCOPES_REFRESH, new JsonObject())
        .onSuccess(reply -> sendJson(ctx, 200, reply.encode()));
  }

  /**
   * A request Netty could not decode (request line, headers, framing): Vert.x's own answer (400,
   * 414 or 431, then close), with a JSON detail.
   */
  private static void invalidRequest(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    int status = 400;
    String detail = "malformed HTTP request";
    if (cause instanceof TooLongHttpLineException) {
      status = 414;
      detail = "request line too long";
    } else if (cause instanceof TooLongHttpHeaderException) {
      status = 431;
      detail = "request headers too large";
    }
    request.response().putHeader(HttpHeaders.CONNECTION, "close");
    sendDetail(request.response(), status, detail);
    request.connection().close();
  }

  private void decodablePath(RoutingContext ctx) {
    EdgeFailures.Answer bad;
    try {
      ctx.normalizedPath();
      // Route matching decodes the query too (path parameters join the request's params).
      ctx.request().params();
      bad = null;
    } catch (RuntimeException e) {
      bad = EdgeFailures.ofPath(e);
      if (bad == null) {
        throw e;
      }
    }
    if (bad != null) {
      sendDetail(ctx, bad.status(), bad.detail());
      return;
    }
    ctx.next();
  }

  /** A git host's push (DESIGN §8): verified, parsed, then the matching scopes are refreshed. */
  private void webhook(RoutingContext ctx) {
    Buffer raw = ctx.body() == null ? null : ctx.body().buffer();
    byte[] bytes = raw == null ? new byte[0] : raw.getBytes();
    Map<String, String> headers = new HashMap<>();
    ctx.request().headers().forEach(h -> headers.putIfAbsent(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
    WebhookParams params = config.opal().webhookParams();
    if (webhookSignature != null) {
      boolean verified = params != null
          ? params.verify(config.webhookSecret(), headers, bytes)
          : webhookSignature.verify(headers, bytes);
      if (!verified) {
        metrics.webhook("unauthorized");
        throw new HttpException(401, params != null
            ? "webhook secret missing or wrong in header " + params.secretHeaderName() + " (webhook.params)"
            : "webhook signature (X-Hub-Signature-256) or token (X-Gitlab-Token) missing or wrong");
      }
    }
    PushEvent event;
    try {
      if (!(WebhookPayload.parse(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE), bytes,
          ctx.request().formAttributes()) instanceof JsonObject payload)) {
        throw new HttpException(400, "webhook payload must be a JSON object");
      }
      event = WebhookParser.parse(headers, payload, params);
    } catch (WebhookException e) {
      metrics.webhook("bad_request");
      throw new HttpException(e.status(), e.getMessage());
    } catch (HttpException e) {
      metrics.webhook("bad_request");
      throw e;
    }
    if (!event.isPush()) {
      metrics.webhook("ignored");
      sendJson(ctx, 200, new JsonObject().put("status", "ignored").put("event", event.eventName())
          .put("reason", "not a push event").encode());
      return;
    }
    ask(ctx, Addresses.WEBHOOK_PUSH, PushEvents.toJson(event)).onSuccess(reply -> {
      JsonArray scopes = reply.getJsonArray("scopes");
      JsonObject answer = new JsonObject().put("status", scopes.isEmpty() ? "ignored" : "ok").put("event", "push")
          .put("scopes", scopes);
      if (scopes.isEmpty()) {
        answer.put("reason", "no scope uses the pushed repository and branch");
      }
      metrics.webhook(scopes.isEmpty() ? "ignored" : "ok");
      sendJson(ctx, 200, answer.encode());
    });
  }

  private void openApi(RoutingContext ctx) {
    sendJson(ctx, 200, openApi);
  }

  /** The key OPA verifies scopesync's bundles with (its {@code keys.<kid>.key}), as SPKI PEM. */
  private void signingKey(RoutingContext ctx) {
    if (signingKeyPem == null) {
      sendDetail(ctx, 404, "bundles are not signed: bundles.signingKey is not set");
      return;
    }
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/x-pem-file").end(signingKeyPem);
  }


  private static String readOpenApi() {
    try (var in = HttpVerticle.class.getResourceAsStream("/openapi.json")) {
      if (in == null) {
        throw new IllegalStateException("openapi.json is missing from the jar");
      }
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("openapi.json cannot be read", e);
    }
  }

  private void healthz(RoutingContext ctx) {
    sendJson(ctx, 200, new JsonObject().put("status", "ok").encode());
  }

  private void ready(RoutingContext ctx) {
    vertx.eventBus().<JsonObject>request(Addresses.READY, new JsonObject(), Delivery.local())
        .onSuccess(reply -> sendJson(ctx, 200, reply.body().encode()))
        .onFailure(e -> sendDetail(ctx, 503, "not ready: " + Failures.detailOf(e)));
  }

  private void internalStats(RoutingContext ctx) {
    if (!config.internalStats()) {
      sendDetail(ctx, 404, "Not Found");
      return;
    }
    // This node's counts: stats are about the process that answers.
    vertx.eventBus().<JsonObject>request(Addresses.STATS, new JsonObject(), Delivery.local())
        .map(Message::body)
        .onSuccess(reply -> sendJson(ctx, 200, reply.encode()))
        .onFailure(ctx::fail);
  }

  /** {@code GET /ws}: OPAL's pub/sub WebSocket, unless the endpoint refuses it now. */
  private void pubSub(RoutingContext ctx) {
    PubSubEndpoint.Refusal refused = pubSub.refusal(ctx.request());
    if (refused == null) {
      pubSub.upgrade(ctx);
      return;
    }
    if (refused.status() == 503) {
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "5");
    }
    sendDetail(ctx, refused.status(), refused.detail());
  }

  // --- auth ------------------------------------------------------------------------------

  private Handler<RoutingContext> datasource() {
    return ctx -> authenticated(ctx, Claims::requireDatasource);
  }

  /** Any valid token (OPAL's non-scoped policy and data config routes). */
  private Handler<RoutingContext> anyCaller() {
    return ctx -> authenticated(ctx, claims -> { });
  }

  private Handler<RoutingContext> scopeReader() {
    // The requested id is checked, before any fallback to the default scope (OPAL's order).
    return ctx -> authenticated(ctx, claims -> claims.requireScope(ctx.pathParam("scopeId")));
  }

  private void authenticated(RoutingContext ctx, java.util.function.Consumer<Claims> rule) {
    access.authenticate(ctx.request().getHeader(HttpHeaders.AUTHORIZATION)).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      try {
        rule.accept(ar.result());
      } catch (AuthFailure e) {
        ctx.fail(e);
        return;
      }
      ctx.put(CLAIMS, ar.result());
      ctx.next();
    });
  }

  private static Claims claims(RoutingContext ctx) {
    Claims claims = ctx.get(CLAIMS);
    return claims == null ? Claims.unrestricted() : claims;
  }

  // --- the edge: requests in, statuses out -----------------------------------------------

  /** Sends a bus request; a failure ends the HTTP exchange with its status and detail. */
  private Future<JsonObject> ask(RoutingContext ctx, String address, JsonObject request) {
    return vertx.eventBus().<JsonObject>request(address, request)
        .map(Message::body)
        .onFailure(ctx::fail);
  }

  private static JsonObject idOf(RoutingContext ctx) {
    return new JsonObject().put("scope_id", ctx.pathParam("scopeId"));
  }

  private static boolean flag(RoutingContext ctx, String name) {
    String value = ctx.queryParams().get(name);
    if (value == null) {
      return false;
    }
    if (value.equalsIgnoreCase("true") || value.equals("1")) {
      return true;
    }
    if (value.equalsIgnoreCase("false") || value.equals("0")) {
      return false;
    }
    throw new HttpException(422, name + ": must be true or false");
  }

  /** Every failure of every route, answered in one place ({@link EdgeFailures} decides the status). */
  private void fail(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof HttpClosedException) {
      return; // the client went away mid-request: nobody to answer, nothing wrong here
    }
    EdgeFailures.Answer answer = EdgeFailures.of(failure, ctx.statusCode());
    int status = answer.status();
    if (status == 401 && failure instanceof AuthFailure) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
    }
    if (status == 503) {
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "5");
    }
    if (answer.serverFault()) {
      LOG.error("{} {} -> {}: {}", ctx.request().method(), ctx.request().path(), status, answer.detail(), failure);
    } else if (status >= 500) {
      LOG.warn("{} {} -> {}: {}", ctx.request().method(), ctx.request().path(), status, answer.detail());
    }
    sendDetail(ctx, status, answer.detail());
  }

}
