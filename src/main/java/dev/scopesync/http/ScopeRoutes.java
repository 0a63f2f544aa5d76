package dev.scopesync.http;

import static dev.scopesync.http.JsonAnswers.sendJson;

import dev.scopesync.client.ScopesClient;
import dev.scopesync.validation.ScopeParser;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;

/**
 * The scope routes (DESIGN §6): put, list, get, delete and refresh, each one call of the scope
 * verticle's API through {@link ScopesClient}; a failed call fails the request, for {@link
 * EdgeFailures} to answer with the verticle's status and detail. Stateless; runs on the HTTP
 * verticle's event loop.
 */
final class ScopeRoutes {
  /** The scope verticle's answer to a refresh, always empty. */
  private static final String REFRESHED = new JsonObject().encode();

  private final ScopesClient scopes;
  private final ScopesClient thisNode;

  /**
   * @param thisNode the client that asks only this node (a scope's sync status is per node)
   */
  ScopeRoutes(ScopesClient scopes, ScopesClient thisNode) {
    this.scopes = scopes;
    this.thisNode = thisNode;
  }

  /**
   * {@code PUT /scopes[?force_fetch=true]}: 201 once the scope is stored (it syncs in the
   * background).
   */
  void put(RoutingContext ctx) {
    Object scope = JsonBodies.of(ctx);
    boolean forceFetch = flag(ctx, "force_fetch");
    answered(ctx, scopes.put(ScopeParser.object(scope, "scope"), forceFetch))
        .onSuccess(v -> ctx.response().setStatusCode(201).end());
  }

  /**
   * {@code GET /scopes}: every scope, streamed page by page; or, with {@code ?limit=N[&after=ID]},
   * one page in id order with a {@code Link: <…>; rel="next"} header while more remain (DESIGN
   * §13).
   */
  void list(RoutingContext ctx) {
    String after = ctx.queryParams().get("after");
    String limitText = ctx.queryParams().get("limit");
    if (limitText == null) {
      ScopeListing.stream(
          ctx.response(), after, (limit, from) -> answered(ctx, scopes.list(limit, from)));
      return;
    }
    int limit = ScopeListing.limit(limitText);
    answered(ctx, scopes.list(limit, after))
        .onSuccess(
            page -> {
              if (page.next() != null) {
                ctx.response().putHeader("Link", ScopeListing.nextLink(limit, page.next()));
              }
              sendJson(ctx, 200, new JsonArray(page.scopes()).encode());
            });
  }

  /** {@code GET /scopes/{id}}: the scope without its secrets, or 404. */
  void get(RoutingContext ctx) {
    answered(ctx, scopes.get(scopeId(ctx))).onSuccess(scope -> sendJson(ctx, 200, scope.encode()));
  }

  /** {@code GET /scopes/{id}/status}: the scope's last sync outcome on this node, or 404. */
  void status(RoutingContext ctx) {
    answered(ctx, thisNode.status(scopeId(ctx)))
        .onSuccess(status -> sendJson(ctx, 200, status.encode()));
  }

  /** {@code DELETE /scopes/{id}}: 204, also when there was no such scope. */
  void delete(RoutingContext ctx) {
    answered(ctx, scopes.delete(scopeId(ctx)))
        .onSuccess(v -> ctx.response().setStatusCode(204).end());
  }

  /**
   * {@code POST /scopes/{id}/refresh[?hinted_hash=H]}: syncs the scope (no hint: a forced fetch);
   * 404 if none.
   */
  void refresh(RoutingContext ctx) {
    answered(ctx, scopes.refresh(scopeId(ctx), ctx.queryParams().get("hinted_hash")))
        .onSuccess(v -> sendJson(ctx, 200, REFRESHED));
  }

  /** {@code POST /scopes/refresh}: syncs every scope. */
  void refreshAll(RoutingContext ctx) {
    answered(ctx, scopes.refreshAll()).onSuccess(v -> sendJson(ctx, 200, REFRESHED));
  }

  /** {@code call}, whose failure ends the HTTP exchange with its status and detail. */
  private static <T> Future<T> answered(RoutingContext ctx, Future<T> call) {
    return call.onFailure(ctx::fail);
  }

  private static String scopeId(RoutingContext ctx) {
    return ctx.pathParam("scopeId");
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
}
