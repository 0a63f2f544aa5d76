package dev.scopesync.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.nio.channels.ClosedChannelException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one Redis a {@link RedisScopeStore} talks to: commands sent on pooled connections, each
 * bounded by a deadline, every failure a {@link StoreUnavailableException} that names the url
 * without its password.
 *
 * <p>Redis being down is a state, not an error: the client's pool drops a connection when its
 * socket closes and connects again on the next command, so the same endpoint works again as soon as
 * Redis answers. The deadline holds even when Redis accepts connections and never answers; a write
 * that missed it may still be applied when Redis answers later, as with any remote store. Going and
 * coming back are logged once each, not per command.
 *
 * <p>A Redis that refuses our handshake (a wrong password, a missing database) needs a person, not
 * a fast retry: after a refusal every command fails at once, without connecting, for a back-off
 * that doubles from 1 s to 60 s. That also bounds a leak of vertx-redis-client 5.0.7, which never
 * closes the socket of a refused handshake (vert-x3/vertx-redis-client#555), to one socket per
 * back-off.
 *
 * <p>Safe to use from any context; every future completes on the caller's context.
 */
final class RedisEndpoint {
  // The store's logger: one name to follow for everything the Redis store reports.
  private static final Logger LOG = LoggerFactory.getLogger(RedisScopeStore.class);

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

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
  private final long commandTimeoutMillis;
  private final Clock clock;
  private final AtomicReference<Refusal> refusal = new AtomicReference<>();

  /** Whether the last command reached Redis; null before the first. Only for logging changes. */
  private final AtomicReference<Boolean> reachable = new AtomicReference<>();

  private RedisEndpoint(Redis redis, String shownUrl, Duration commandTimeout, Clock clock) {
    this.redis = redis;
    this.shownUrl = shownUrl;
    this.commandTimeoutMillis = commandTimeout.toMillis();
    this.clock = clock;
  }

  /**
   * A client for {@code redisUrl}; connects on the first command, not here.
   *
   * @param shownUrl the url as messages and logs show it, without its password
   * @param clock the clock of the refusal back-off
   */
  static RedisEndpoint create(
      Vertx vertx, String redisUrl, String shownUrl, Duration commandTimeout, Clock clock) {
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
    return new RedisEndpoint(Redis.createClient(vertx, options), shownUrl, commandTimeout, clock);
  }

  /** Sends one command on a pooled connection. */
  Future<Response> send(Request request) {
    return guarded(
        connection().compose(connection -> connection.send(request).eventually(connection::close)));
  }

  /**
   * Runs the commands in one MULTI/EXEC on one pooled connection and answers EXEC's replies, one
   * per command. Sent one by one rather than as a client batch, whose failure folds every cause
   * into one error text and so hides whether Redis answered at all.
   */
  Future<Response> transaction(Request... commands) {
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

  Future<Void> close() {
    return redis.close();
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
}
