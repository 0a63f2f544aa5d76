package dev.scopesync.http;

import dev.scopesync.auth.AccessPolicy;
import dev.scopesync.auth.AuthFailure;
import dev.scopesync.auth.Claims;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Consumer;

/**
 * Who may call a route (OPAL's rules, DESIGN §6): the auth step a route runs before its handler.
 * Management needs a datasource token, a scope's policy and data need the scope in {@code
 * allowed_scopes}; every step lets everything through without {@code auth.publicKey}. A refusal
 * fails the request, for {@link EdgeFailures} to answer. Immutable.
 */
final class CallerRules {
  /** The verified caller of a request, for the handlers after the auth step. */
  private static final String CLAIMS = "scopesync.claims";

  private final AccessPolicy access;

  CallerRules(AccessPolicy access) {
    this.access = access;
  }

  /** A datasource token (OPAL's management routes). */
  Handler<RoutingContext> datasource() {
    return ctx -> authenticated(ctx, Claims::requireDatasource);
  }

  /** Any valid token (OPAL's non-scoped policy and data config routes). */
  Handler<RoutingContext> anyCaller() {
    return ctx -> authenticated(ctx, claims -> {});
  }

  /** A token that may read the route's {@code scopeId}. */
  Handler<RoutingContext> scopeReader() {
    // The requested id is checked, before any fallback to the default scope (OPAL's order).
    return ctx -> authenticated(ctx, claims -> claims.requireScope(ctx.pathParam("scopeId")));
  }

  /** The caller the auth step verified; unrestricted when auth is off. */
  static Claims claims(RoutingContext ctx) {
    Claims claims = ctx.get(CLAIMS);
    return claims == null ? Claims.unrestricted() : claims;
  }

  private void authenticated(RoutingContext ctx, Consumer<Claims> rule) {
    access
        .authenticate(ctx.request().getHeader(HttpHeaders.AUTHORIZATION))
        .onComplete(
            ar -> {
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
}
