package dev.scopesync.http;

import dev.scopesync.auth.AccessPolicy;
import dev.scopesync.auth.AuthFailure;
import dev.scopesync.auth.Claims;
import dev.scopesync.metrics.ServerMetrics;
import dev.scopesync.pubsub.Topics;
import dev.scopesync.serving.ServedAnswer;
import dev.scopesync.serving.ServedBundles;
import dev.scopesync.validation.CommitHash;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * The edge's own route for cached bundles (DESIGN §18), taken before the router: a plain {@code
 * GET} of a bundle whose answer is in the node's served bundles is answered here, from the
 * fetcher's bytes, with no routing, no event-bus message and nothing encoded. Vert.x Web's router
 * allocates about 5 KB a request walking its routes; this path allocates what Vert.x's HTTP server
 * itself does.
 *
 * <p>It answers only what the router would answer the same way, and hands everything else to it: a
 * path or query of any other shape (percent-escapes, extra parameters), a request with a body or a
 * {@code Content-Type}, a CORS request when CORS is on, an OPA long poll, a token whose verdict is
 * not known at once or that the route would refuse (the router then says why), and any answer not
 * in the index.
 */
final class CachedAnswers {
  static final CharSequence NO_CACHE = HttpHeaders.createOptimized("no-cache");
  static final CharSequence JSON_TYPE = HttpHeaders.createOptimized("application/json");
  static final CharSequence GZIP_TYPE = HttpHeaders.createOptimized("application/gzip");

  /** What OPA asks for on a long poll, and is answered with. */
  static final CharSequence OPA_TYPE =
      HttpHeaders.createOptimized("application/vnd.openpolicyagent.bundles");

  private static final String SCOPES = "/scopes/";
  private static final String POLICY = "/policy";
  private static final String TAR = "/bundle.tar.gz";
  private static final String BASE_HASH = "base_hash=";

  /**
   * The router's patterns for these routes (RouteTable declares them with these): the metrics'
   * {@code route} label.
   */
  static final String SCOPE_POLICY_ROUTE = "/scopes/:scopeId/policy";

  static final String SCOPE_TAR_ROUTE = "/scopes/:scopeId/bundle.tar.gz";
  static final String DEFAULT_POLICY_ROUTE = "/policy";
  private static final String TAR_KEY = ServedBundles.key(true, null);

  private final ServedBundles served;
  private final AccessPolicy access;
  private final ServerMetrics metrics;
  private final boolean cors;

  CachedAnswers(ServedBundles served, AccessPolicy access, ServerMetrics metrics, boolean cors) {
    this.served = served;
    this.access = access;
    this.metrics = metrics;
    this.cors = cors;
  }

  /**
   * Answers the request when it is a cached bundle request the router would answer the same way.
   */
  boolean answer(HttpServerRequest request) {
    if (request.method() != HttpMethod.GET) {
      return false;
    }
    String path = request.path();
    boolean defaultPolicy = path.equals(DEFAULT_POLICY_ROUTE);
    boolean tar = !defaultPolicy && path.endsWith(TAR);
    String scopeId;
    if (defaultPolicy) {
      scopeId = Topics.DEFAULT_SCOPE;
    } else if (path.startsWith(SCOPES) && (tar || path.endsWith(POLICY))) {
      scopeId =
          plainId(path, SCOPES.length(), path.length() - (tar ? TAR.length() : POLICY.length()));
      if (scopeId == null) {
        return false;
      }
    } else {
      return false;
    }
    String query = request.query();
    String baseHash = null;
    if (query != null && !query.isEmpty()) {
      baseHash = tar ? null : baseHashOf(query);
      if (baseHash == null) {
        return false;
      }
    }
    if (!plainRequest(request.headers(), tar)) {
      return false;
    }
    if (!allowed(request, defaultPolicy ? null : scopeId)) {
      return false;
    }
    ServedAnswer answer = find(scopeId, tar ? TAR_KEY : ServedBundles.key(false, baseHash));
    if (answer == null) {
      return false;
    }
    request.routed(
        defaultPolicy ? DEFAULT_POLICY_ROUTE : tar ? SCOPE_TAR_ROUTE : SCOPE_POLICY_ROUTE);
    send(request.response(), request.headers(), answer, tar ? GZIP_TYPE : JSON_TYPE);
    return true;
  }

  /** The answer in the served bundles, counted as a cache hit; or null. */
  ServedAnswer find(String scopeId, String key) {
    ServedAnswer answer = served.find(scopeId, key);
    if (answer != null) {
      metrics.bundleCacheHit();
    }
    return answer;
  }

  /**
   * A bundle answer, from the index or the fetcher: 304 when the client holds it (If-None-Match),
   * else 200 with the bytes. Nothing to a client that has gone (a long poll answered late).
   */
  void send(
      HttpServerResponse response,
      MultiMap requestHeaders,
      ServedAnswer answer,
      CharSequence contentType) {
    if (response.ended() || response.closed()) {
      return;
    }
    boolean current =
        EntityTags.matches(requestHeaders.getAll(HttpHeaders.IF_NONE_MATCH), answer.etag());
    response
        .setStatusCode(current ? 304 : 200)
        .putHeader(HttpHeaders.ETAG, answer.etagHeader())
        .putHeader(HttpHeaders.CONTENT_TYPE, contentType)
        .putHeader(HttpHeaders.CACHE_CONTROL, NO_CACHE);
    if (current) {
      response.end();
    } else {
      response.end(answer.body());
    }
  }

  /** The base hash of a query that is only {@code base_hash=<a commit hash>}, else null. */
  private static String baseHashOf(String query) {
    if (!query.startsWith(BASE_HASH)) {
      return null;
    }
    String hash = query.substring(BASE_HASH.length());
    return CommitHash.valid(hash) ? hash : null;
  }

  /**
   * The id between {@code from} and {@code to} when it is plain (letters, digits, {@code -_.}),
   * else null.
   */
  private static String plainId(String path, int from, int to) {
    if (to <= from) {
      return null;
    }
    for (int i = from; i < to; i++) {
      char c = path.charAt(i);
      boolean plain =
          c >= 'a' && c <= 'z'
              || c >= 'A' && c <= 'Z'
              || c >= '0' && c <= '9'
              || c == '-'
              || c == '_'
              || c == '.';
      if (!plain) {
        return null;
      }
    }
    return path.substring(from, to);
  }

  /** No body, no content type, no CORS request to answer, no OPA long poll. */
  private boolean plainRequest(MultiMap headers, boolean tar) {
    String length = headers.get(HttpHeaders.CONTENT_LENGTH);
    if (length != null && !length.equals("0")
        || headers.contains(HttpHeaders.TRANSFER_ENCODING)
        || headers.contains(HttpHeaders.CONTENT_TYPE)) {
      return false;
    }
    if (cors && headers.contains(HttpHeaders.ORIGIN)) {
      return false;
    }
    return !(tar && headers.contains("Prefer"));
  }

  /**
   * The router's rule for the route, when its verdict is known now: a scope reader, or any caller
   * for {@code /policy}.
   */
  private boolean allowed(HttpServerRequest request, String scopeId) {
    if (!access.enabled()) {
      return true;
    }
    Future<Claims> claims = access.authenticate(request.getHeader(HttpHeaders.AUTHORIZATION));
    if (!claims.succeeded()) {
      return false;
    }
    if (scopeId != null) {
      try {
        claims.result().requireScope(scopeId);
      } catch (AuthFailure e) {
        return false;
      }
    }
    return true;
  }
}
