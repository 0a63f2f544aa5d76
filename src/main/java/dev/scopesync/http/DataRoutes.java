package dev.scopesync.http;

import static dev.scopesync.http.JsonAnswers.sendJson;

import dev.scopesync.auth.Claims;
import dev.scopesync.bus.Addresses;
import dev.scopesync.bus.Failures;
import dev.scopesync.client.ScopesClient;
import dev.scopesync.pubsub.RpcFrames;
import dev.scopesync.pubsub.ScopedDataUpdate;
import dev.scopesync.pubsub.Topics;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;

/**
 * The data routes (DESIGN §12, §17): a scope's data config, the non-scoped one, and OPAL's data
 * updates, for one scope or for non-scoped clients. Updates are published on {@code
 * scopesync.data-updated} and {@code scopesync.data-updated.<scope_id>}, and every node notifies
 * its own OPAL clients. Stateless; runs on the HTTP verticle's event loop.
 */
final class DataRoutes {
  private final Vertx vertx;
  private final ScopesClient scopes;
  private final OpalRoutes opal;

  DataRoutes(Vertx vertx, ScopesClient scopes, OpalRoutes opal) {
    this.vertx = vertx;
    this.scopes = scopes;
    this.opal = opal;
  }

  /**
   * {@code GET /scopes/{id}/data}: the scope's data config as OPAL clients need it, each entry's
   * topics scope-prefixed and expanded so the client's topic filter keeps them (OPAL returns them
   * raw: its issue #779). For a scope that does not exist, OPAL's {@code DATA_CONFIG_SOURCES} when
   * configured (OPAL's fallback), else 404.
   */
  void scopeData(RoutingContext ctx, String scopeId) {
    scopes
        .get(scopeId)
        .onSuccess(
            scope ->
                sendJson(
                    ctx,
                    200,
                    Topics.scopedDataConfig(scopeId, scope.getJsonObject("data", new JsonObject()))
                        .encode()))
        .onFailure(
            e -> {
              if (Failures.statusOf(e) != Failures.NOT_FOUND
                  || !opal.unknownScopeDataConfig(ctx, scopeId)) {
                ctx.fail(e);
              }
            });
  }

  /**
   * {@code GET /data/config}: {@code data.configSources} when configured, else the default scope's
   * data.
   */
  void nonScopedDataConfig(RoutingContext ctx) {
    if (!opal.nonScopedDataConfig(ctx)) {
      scopeData(ctx, Topics.DEFAULT_SCOPE);
    }
  }

  /**
   * {@code POST /scopes/{id}/data/update}: OPAL's data update for a scope, with each entry's topics
   * as the scope's clients need them (OPAL issue #920); 404 when the scope does not exist.
   */
  void updateScope(RoutingContext ctx, Claims claims) {
    String scopeId = ctx.pathParam("scopeId");
    ScopedDataUpdate scoped = checked(ctx, claims, scopeId);
    scopes
        .get(scopeId)
        .onFailure(ctx::fail)
        .onSuccess(
            scope -> {
              publish(scoped);
              sendJson(
                  ctx,
                  200,
                  new JsonObject()
                      .put("status", "ok")
                      .put("topics", new JsonArray(scoped.topics()))
                      .encode());
            });
  }

  /**
   * {@code POST /data/config}: OPAL's own publish route (every data publisher and OPAL's {@code
   * publish-data-update} use it), for non-scoped clients on the plain topics. Needs no {@code
   * default} scope: a data-only server has none. Answers OPAL's {@code {"status": "ok"}}.
   */
  void publishNonScoped(RoutingContext ctx, Claims claims) {
    publish(checked(ctx, claims, Topics.DEFAULT_SCOPE));
    sendJson(ctx, 200, "{\"status\":\"ok\"}");
  }

  /**
   * The body as OPAL's {@code DataUpdate}, within the caller's {@code permitted_topics} and a
   * client's frame limit.
   */
  private static ScopedDataUpdate checked(RoutingContext ctx, Claims claims, String scopeId) {
    JsonObject update = DataUpdates.normalized(JsonBodies.of(ctx));
    claims.requireTopics(DataUpdates.topics(update));
    ScopedDataUpdate scoped = ScopedDataUpdate.of(scopeId, update);
    if (scoped.largestNotifyBytes() > RpcFrames.MAX_MESSAGE_BYTES) {
      throw new HttpException(
          413,
          "the data update's notify message would be "
              + scoped.largestNotifyBytes()
              + " bytes; OPAL clients accept at most "
              + RpcFrames.MAX_MESSAGE_BYTES
              + " (put large data behind a url)");
    }
    return scoped;
  }

  private void publish(ScopedDataUpdate scoped) {
    JsonObject event = scoped.toEvent();
    vertx.eventBus().publish(Addresses.DATA_UPDATED, event);
    vertx.eventBus().publish(Addresses.dataUpdated(scoped.scopeId()), event);
  }
}
