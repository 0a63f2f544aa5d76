package dev.scopesync.store;

import dev.scopesync.model.Scope;
import dev.scopesync.validation.ScopeParser;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The shared store (DESIGN §9): scopes kept in Redis under OPAL's key and schema ({@link
 * OpalScopeLayout}), so an OPAL server and scopesync can share one Redis. Keys outside that prefix
 * are never read or written.
 *
 * <p>Redis being down is a state, not an error of the process: {@link #open} succeeds whatever
 * Redis does at that moment, and while Redis cannot be reached every future fails, within a
 * per-command deadline, with a {@link StoreUnavailableException} saying so (the url shown without
 * its password); the same instance works again as soon as Redis answers. A Redis that refuses the
 * handshake is not asked again for a back-off of 1 s to 60 s ({@link RedisEndpoint}).
 *
 * <p>Safe to use from any context; every future completes on the caller's context.
 */
public final class RedisScopeStore implements ScopeStore {
  static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(5);
  private static final Set<String> SCHEMES = Set.of("redis", "rediss", "unix");

  /** Keys asked of each SCAN step; each step's keys are then read with one MGET. */
  private static final int SCAN_COUNT = 500;

  private final RedisEndpoint redis;
  private final OpalScopeLayout layout;

  private RedisScopeStore(RedisEndpoint redis, OpalScopeLayout layout) {
    this.redis = redis;
    this.layout = layout;
  }

  /**
   * Creates the store and pings Redis once to log whether it answers. Succeeds while Redis is down
   * (the server then starts and reports not ready); fails only for a url that is not a {@code
   * redis://}, {@code rediss://} or {@code unix://} url, which no retry would fix.
   */
  public static Future<ScopeStore> open(Vertx vertx, String redisUrl, ScopeParser parser) {
    return open(vertx, redisUrl, parser, DEFAULT_COMMAND_TIMEOUT, Clock.systemUTC());
  }

  /**
   * As {@link #open(Vertx, String, ScopeParser)}, with a deadline for each command and the clock of
   * the back-off.
   */
  static Future<ScopeStore> open(
      Vertx vertx, String redisUrl, ScopeParser parser, Duration commandTimeout, Clock clock) {
    String shownUrl;
    try {
      shownUrl = withoutPassword(redisUrl);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    RedisScopeStore store =
        new RedisScopeStore(
            RedisEndpoint.create(vertx, redisUrl, shownUrl, commandTimeout, clock),
            new OpalScopeLayout(parser));
    return store.ping().transform(pinged -> Future.succeededFuture(store));
  }

  @Override
  public Future<Scope> get(String scopeId) {
    // MGET, not GET: a key holding something other than a string reads as absent, as in all().
    return redis
        .send(Request.cmd(Command.MGET).arg(OpalScopeLayout.keyOf(scopeId)))
        .map(values -> values.get(0) == null ? null : layout.decode(scopeId, values.get(0)));
  }

  /** OPAL and other nodes write the same keys. */
  @Override
  public boolean shared() {
    return true;
  }

  /**
   * SCANs the scope keys (never KEYS, which stalls Redis) and reads each step's keys with one MGET.
   * A key deleted between the two is skipped; a key SCAN reports twice (it may, while Redis
   * rehashes) is listed once.
   */
  @Override
  public Future<List<Scope>> all() {
    Map<String, Scope> found = new LinkedHashMap<>();
    return scanFrom("0", found).map(done -> List.copyOf(found.values()));
  }

  // MULTI/EXEC rather than SET … GET and GETDEL: those need Redis 6.2, and the Redis an
  // OPAL deployment shares with us may be older. Either way the read and the write are atomic.

  @Override
  public Future<Scope> put(Scope scope) {
    String key = OpalScopeLayout.keyOf(scope.scopeId());
    String value = OpalScopeLayout.encode(scope);
    return redis
        .transaction(
            Request.cmd(Command.GET).arg(key), Request.cmd(Command.SET).arg(key).arg(value))
        .map(replies -> layout.replaced(scope.scopeId(), replies.get(0)));
  }

  @Override
  public Future<Scope> delete(String scopeId) {
    String key = OpalScopeLayout.keyOf(scopeId);
    return redis
        .transaction(Request.cmd(Command.GET).arg(key), Request.cmd(Command.DEL).arg(key))
        .map(replies -> layout.replaced(scopeId, replies.get(0)));
  }

  @Override
  public Future<Void> ping() {
    return redis.send(Request.cmd(Command.PING)).mapEmpty();
  }

  @Override
  public Future<Void> close() {
    return redis.close();
  }

  private Future<Void> scanFrom(String cursor, Map<String, Scope> found) {
    Request scan =
        Request.cmd(Command.SCAN)
            .arg(cursor)
            .arg("MATCH")
            .arg(OpalScopeLayout.KEY_PATTERN)
            .arg("COUNT")
            .arg(SCAN_COUNT);
    return redis
        .send(scan)
        .compose(
            step -> {
              String next = step.get(0).toString();
              List<Response> keys = new ArrayList<>(step.get(1).size());
              step.get(1).forEach(keys::add);
              return read(keys, found)
                  .compose(
                      read ->
                          next.equals("0")
                              ? Future.<Void>succeededFuture()
                              : scanFrom(next, found));
            });
  }

  private Future<Void> read(List<Response> keys, Map<String, Scope> found) {
    if (keys.isEmpty()) {
      return Future.succeededFuture();
    }
    Request mget = Request.cmd(Command.MGET);
    keys.forEach(key -> mget.arg(key.toBuffer()));
    return redis
        .send(mget)
        .map(
            values -> {
              for (int i = 0; i < keys.size(); i++) {
                Response value = values.get(i);
                if (value == null) {
                  continue; // deleted since the SCAN, or not a string
                }
                String scopeId = OpalScopeLayout.scopeIdOf(keys.get(i));
                Scope scope = layout.decode(scopeId, value);
                if (scope != null) {
                  found.put(scopeId, scope);
                }
              }
              return null;
            });
  }

  /**
   * The url to show in messages and logs: scheme, user, host, port and path; the password (in the
   * user info or a {@code password=} parameter) and all parameters left out.
   *
   * @throws IllegalArgumentException when it is not a {@code redis://}, {@code rediss://} or {@code
   *     unix://} url, saying why without repeating it
   */
  static String withoutPassword(String redisUrl) {
    URI uri;
    try {
      uri = new URI(redisUrl);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "store.redisUrl does not parse as a url (" + e.getReason() + ")");
    }
    if (uri.getScheme() == null || !SCHEMES.contains(uri.getScheme())) {
      throw new IllegalArgumentException(
          "store.redisUrl must start with redis://, rediss:// or unix://");
    }
    if (!uri.getScheme().equals("unix") && uri.getHost() == null) {
      throw new IllegalArgumentException("store.redisUrl names no host");
    }
    String userInfo = uri.getRawUserInfo();
    String user = userInfo == null ? "" : userInfo.split(":", 2)[0];
    return uri.getScheme()
        + "://"
        + (user.isEmpty() ? "" : user + "@")
        + (uri.getHost() == null ? "" : uri.getHost())
        + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
        + (uri.getRawPath() == null ? "" : uri.getRawPath());
  }
}
