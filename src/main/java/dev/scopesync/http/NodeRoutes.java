package dev.scopesync.http;

import static dev.scopesync.http.JsonAnswers.sendDetail;
import static dev.scopesync.http.JsonAnswers.sendJson;

import dev.scopesync.bus.Addresses;
import dev.scopesync.bus.Delivery;
import dev.scopesync.bus.Failures;
import dev.scopesync.client.ScopesClient;
import dev.scopesync.config.ServerConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The routes about the node that answers (DESIGN §6, §16): liveness, readiness, its stats, the API
 * description and the key its bundles are signed with. Immutable; runs on the HTTP verticle's event
 * loop.
 */
final class NodeRoutes {
  private final Vertx vertx;

  /** This node's scope verticle: stats are about the process that answers. */
  private final ScopesClient thisNode;

  private final boolean internalStats;

  /**
   * The API description, read once by {@link #readOpenApi} when the verticle is made (never on an
   * event loop).
   */
  private final String openApi;

  /**
   * The public half of {@code bundles.signingKey} (SPKI PEM), or null when bundles are not signed.
   */
  private final String signingKeyPem;

  NodeRoutes(Vertx vertx, ServerConfig config, String openApi) {
    this.vertx = vertx;
    this.thisNode = ScopesClient.local(vertx);
    this.internalStats = config.internalStats();
    this.openApi = openApi;
    var signer = config.bundleSigner();
    this.signingKeyPem = signer == null ? null : signer.publicKeyPem();
  }

  /** {@code GET /healthz}: 200 while the process serves. */
  void healthz(RoutingContext ctx) {
    sendJson(ctx, 200, new JsonObject().put("status", "ok").encode());
  }

  /**
   * {@code GET /ready}: 200 once the verticles are deployed and the store answers, else 503 with
   * the reason.
   */
  void ready(RoutingContext ctx) {
    // A probe's answer, not a failed request: no Retry-After, nothing logged.
    vertx
        .eventBus()
        .<JsonObject>request(Addresses.READY, new JsonObject(), Delivery.local())
        .onSuccess(reply -> sendJson(ctx, 200, reply.body().encode()))
        .onFailure(e -> sendDetail(ctx, 503, "not ready: " + Failures.detailOf(e)));
  }

  /**
   * {@code GET /internal/stats}: this node's counts when {@code debug.internalStats} is on, else
   * 404.
   */
  void internalStats(RoutingContext ctx) {
    if (!internalStats) {
      sendDetail(ctx, 404, "Not Found");
      return;
    }
    thisNode.stats().onSuccess(stats -> sendJson(ctx, 200, stats.encode())).onFailure(ctx::fail);
  }

  /** {@code GET /openapi.json}. */
  void openApi(RoutingContext ctx) {
    sendJson(ctx, 200, openApi);
  }

  /**
   * {@code GET /bundles/signing-key}: the key OPA verifies scopesync's bundles with (its {@code
   * keys.<kid>.key}), as SPKI PEM.
   */
  void signingKey(RoutingContext ctx) {
    if (signingKeyPem == null) {
      sendDetail(ctx, 404, "bundles are not signed: bundles.signingKey is not set");
      return;
    }
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/x-pem-file").end(signingKeyPem);
  }

  /** The jar's {@code openapi.json}; blocking (a resource read). */
  static String readOpenApi() {
    try (var in = NodeRoutes.class.getResourceAsStream("/openapi.json")) {
      if (in == null) {
        throw new IllegalStateException("openapi.json is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("openapi.json cannot be read", e);
    }
  }
}
