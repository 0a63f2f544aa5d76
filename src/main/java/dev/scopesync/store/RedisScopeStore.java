package dev.scopesync.store;

import dev.scopesync.model.InvalidScopeException;
import dev.scopesync.model.Scope;
import dev.scopesync.validation.ScopeParser;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared store (DESIGN §9): each scope is the string key {@code permit.io/Scope:<scope_id>}
 * holding the scope's JSON, secrets included: OPAL's key and schema, so an OPAL server and
 * scopesync can share one Redis. Keys outside that prefix are never read or written.
 *
 * <p>Redis being down is a state, not an error of the process: {@link #open} succeeds whatever
 * Redis does at that moment, and while Redis cannot be reached every future fails with a {@link
 * StoreUnavailableException} saying so (the url shown without its password). Connections come from
 * the client's pool, which drops a connection when its socket closes and connects again on the next
 * command, so the same instance works again as soon as Redis answers. Each command has a deadline,
 * so no caller waits longer than that even when Redis accepts connections and never answers; a
 * write that missed its deadline may still be applied when Redis answers later, as with any remote
 * store.
 *
 * <p>A Redis that refuses our handshake (a wrong password, a missing database) needs a person, not
 * a fast retry: after a refusal the store fails at once, without connecting, for a back-off that
 * doubles from 1 s to 60 s. That also bounds a leak of vertx-redis-client 5.0.7, which never closes
 * the socket of a refused handshake (vert-x3/vertx-redis-client#555), to one socket per back-off.
 *
 * <p>Safe to use from any context; every future completes on the caller's context.
 */
public final class RedisScopeStore implements ScopeStore {
  private static final Logger LOG = LoggerFactory.getLogger(RedisScopeStore.class);

  /** OPAL's {@code ScopeRepository} prefix plus its separator. */
  public static final String KEY_PREFIX = "permit.io/Scope:";

  static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  private static final Set<String> SCHEMES = Set.of("redis", "rediss", "unix");

  /** Keys asked of each SCAN step; each step's keys are then read with one MGET. */
  private static final int SCAN_COUNT = 500;

  private static final int POOL_SIZE = 8;

  /**
   * Commands that may wait for a pooled connection. The client's default (24) would turn a burst of
   * puts into failures that look like an outage.
   */
  private static final int POOL_WAITING = 4096;

  /**
   * How long a pooled connection may stay unused before it is closed: a burst opens all {@value
   * #POOL_SIZE}, and an idle server goes back to the one or two it needs (the client's default
   * keeps them three minutes).
   */
  private static final Duration POOL_IDLE = Duration.ofSeconds(15);

  private static final Duration FIRST_REFUSAL_BACKOFF = Duration.ofSeconds(1);
  private static final Duration MAX_REFUSAL_BACKOFF = Duration.ofSeconds(60);

  /** Redis refused our handshake: until {@code retryAt} commands fail with {@code message}. */
  private record Refusal(String message, long retryAt, Duration backoff) {}

  private final Redis redis;
  private final String shownUrl;
  private final ScopeParser parser;
  private final long commandTimeoutMillis;
  private final Clock clock;
  private final AtomicReference<Refusal> refusal = new AtomicReference<>();

  /** Whether the last command reached Redis; null before the first. Only for logging changes. */
  private final AtomicReference<Boolean> reachable = new AtomicReference<>();

  private RedisScopeStore(
      Redis redis, String shownUrl, ScopeParser parser, Duration commandTimeout, Clock clock) {
    this.redis = redis;
    this.shownUrl = shownUrl;
    this.parser = parser;
    this.commandTimeoutMillis = commandTimeout.toMillis();
    this.clock = clock;
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
    RedisOptions options =
        new RedisOptions()
            .setConnectionString(redisUrl)
            .setMaxPoolSize(POOL_SIZE)
            .setMaxPoolWaiting(POOL_WAITING)
            .setPoolRecycleTimeout((int) POOL_IDLE.toMillis())
            .setNetClientOptions(
                new NetClientOptions()
                    .setTcpKeepAlive(true)
                    .setTcpNoDelay(true)
                    .setConnectTimeout((int) CONNECT_TIMEOUT.toMillis()));
    RedisScopeStore store =
        new RedisScopeStore(
            Redis.createClient(vertx, options), shownUrl, parser, commandTimeout, clock);
    return store.ping().transform(pinged -> Future.succeededFuture(store));
  }

  @Override
  public Future<Scope> get(String scopeId) {
    // MGET, not GET: a key holding something other than a string reads as absent, as in all().
    return send(Request.cmd(Command.MGET).arg(keyOf(scopeId)))
        .map(values -> values.get(0) == null ? null : decode(scopeId, values.get(0)));
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
    String key = keyOf(scope.scopeId());
    String value = scope.toStoredJson().encode();
    return transaction(
            Request.cmd(Command.GET).arg(key), Request.cmd(Command.SET).arg(key).arg(value))
        .map(replies -> previous(scope.scopeId(), replies.get(0)));
  }

  @Override
  public Future<Scope> delete(String scopeId) {
    String key = keyOf(scopeId);
    return transaction(Request.cmd(Command.GET).arg(key), Request.cmd(Command.DEL).arg(key))
        .map(replies -> previous(scopeId, replies.get(0)));
  }

  @Override
  public Future<Void> ping() {
    return send(Request.cmd(Command.PING)).mapEmpty();
  }

  @Override
  public Future<Void> close() {
    return redis.close();
  }

  // --- reading ---------------------------------------------------------------------------

  private Future<Void> scanFrom(String cursor, Map<String, Scope> found) {
    Request scan =
        Request.cmd(Command.SCAN)
            .arg(cursor)
            .arg("MATCH")
            .arg(KEY_PREFIX + "*")
            .arg("COUNT")
            .arg(SCAN_COUNT);
    return send(scan)
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
    return send(mget)
        .map(
            values -> {
              for (int i = 0; i < keys.size(); i++) {
                Response value = values.get(i);
                if (value == null) {
                  continue; // deleted since the SCAN, or not a string
                }
                String scopeId =
                    keys.get(i).toString(StandardCharsets.UTF_8).substring(KEY_PREFIX.length());
                Scope scope = decode(scopeId, value);
                if (scope != null) {
                  found.put(scopeId, scope);
                }
              }
              return null;
            });
  }

  /** The scope a GET inside a transaction answered, or null. */
  private Scope previous(String scopeId, Response value) {
    if (value == null) {
      return null;
    }
    if (value.type() == ResponseType.ERROR) {
      LOG.warn("scope_id={}: the key held no string, it was replaced", scopeId);
      return null;
    }
    return decode(scopeId, value);
  }

  /**
   * The stored scope, or null when the value is not one. Only the scope id and the broken field are
   * logged, never the value: it holds secrets.
   */
  private Scope decode(String scopeId, Response value) {
    Scope scope;
    try {
      scope = parser.parse(new JsonObject(value.toString(StandardCharsets.UTF_8)));
    } catch (InvalidScopeException e) {
      LOG.error("skipping stored scope_id={}: field {} is invalid", scopeId, e.field());
      return null;
    } catch (RuntimeException e) {
      LOG.error(
          "skipping stored scope_id={}: its value is not a JSON object ({})",
          scopeId,
          e.getClass().getSimpleName());
      return null;
    }
    if (!scope.scopeId().equals(scopeId)) {
      LOG.error("skipping stored scope_id={}: the value names another scope_id", scopeId);
      return null;
    }
    return scope;
  }

  // --- talking to Redis ------------------------------------------------------------------

  private Future<Response> send(Request request) {
    return guarded(
        connection().compose(connection -> connection.send(request).eventually(connection::close)));
  }

  /**
   * Runs the commands in one MULTI/EXEC on one pooled connection and answers EXEC's replies, one
   * per command. Sent one by one rather than as a client batch, whose failure folds every cause
   * into one error text and so hides whether Redis answered at all.
   */
  private Future<Response> transaction(Request... commands) {
    return guarded(
        connection()
            .compose(
                connection -> {
                  List<Future<Response>> replies = new ArrayList<>(commands.length + 2);
                  replies.add(connection.send(Request.cmd(Command.MULTI)));
                  for (Request command : commands) {
                    replies.add(connection.send(command));
                  }
                  Future<Response> exec = connection.send(Request.cmd(Command.EXEC));
                  replies.add(exec);
                  // Every reply is read before the connection goes back to the pool.
                  return Future.join(replies).compose(all -> exec).eventually(connection::close);
                }));
  }

  /** A pooled connection, or at once the last refusal while its back-off lasts. */
  private Future<RedisConnection> connection() {
    Refusal last = refusal.get();
    if (last != null && clock.millis() < last.retryAt()) {
      return Future.failedFuture(new StoreUnavailableException(last.message(), null));
    }
    return redis
        .connect()
        .onSuccess(connected -> refusal.set(null))
        .recover(e -> Future.failedFuture(isAnswer(e) ? refused(last, e) : e));
  }

  private StoreUnavailableException refused(Refusal last, Throwable e) {
    Duration backoff =
        last == null
            ? FIRST_REFUSAL_BACKOFF
            : min(last.backoff().multipliedBy(2), MAX_REFUSAL_BACKOFF);
    String message = "Redis at " + shownUrl + " refused the connection: " + e.getMessage();
    refusal.set(new Refusal(message, clock.millis() + backoff.toMillis(), backoff));
    LOG.error(
        "{}; check the user, password and database of store.redisUrl; next attempt in {} s",
        message,
        backoff.toSeconds());
    return new StoreUnavailableException(message, e);
  }

  /**
   * Bounds a command by the deadline and turns its failure into a {@link
   * StoreUnavailableException}.
   */
  private <T> Future<T> guarded(Future<T> command) {
    return command
        .timeout(commandTimeoutMillis, TimeUnit.MILLISECONDS)
        .recover(e -> Future.failedFuture(unavailable(e)))
        .onSuccess(ok -> noteReachable(true, null));
  }

  private StoreUnavailableException unavailable(Throwable e) {
    if (e instanceof StoreUnavailableException refusedConnection) {
      return refusedConnection;
    }
    if (isAnswer(e)) {
      // Redis answered, with an error (LOADING, OOM, READONLY, NOAUTH…): not an outage.
      return new StoreUnavailableException(
          "Redis at " + shownUrl + " refused the command: " + e.getMessage(), e);
    }
    String why;
    if (e instanceof TimeoutException) {
      why = "no answer within " + commandTimeoutMillis + " ms";
    } else if (e instanceof ClosedChannelException) {
      why = "the connection closed";
    } else {
      why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
    String message = "Redis at " + shownUrl + " is unreachable: " + why;
    noteReachable(false, message);
    return new StoreUnavailableException(message, e);
  }

  /**
   * Whether the failure is an error reply from Redis, rather than the client's {@code
   * CONNECTION_CLOSED}, which it gives commands pending on a connection that closed.
   */
  private static boolean isAnswer(Throwable e) {
    return e instanceof Response reply
        && reply.type() == ResponseType.ERROR
        && !reply.toString().startsWith("CONNECTION_CLOSED");
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** Logs when Redis becomes reachable or unreachable, not on every command. */
  private void noteReachable(boolean now, String why) {
    Boolean before = reachable.getAndSet(now);
    if (before != null && before == now) {
      return;
    }
    if (now) {
      LOG.info("Redis at {} answers{}", shownUrl, before == null ? "" : " again");
    } else {
      LOG.warn("{}; requests that need the store get 503 until it answers", why);
    }
  }

  static String keyOf(String scopeId) {
    return KEY_PREFIX + scopeId;
  }

  /**
   * The url to show in messages and logs: scheme, user, host, port and path; the password (in the
   * user info or a {@code password=} parameter) and all parameters left out.
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
