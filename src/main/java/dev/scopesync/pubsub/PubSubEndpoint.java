package dev.scopesync.pubsub;

import dev.scopesync.auth.AccessPolicy;
import dev.scopesync.auth.Claims;
import dev.scopesync.bus.Addresses;
import dev.scopesync.config.ServerConfig;
import dev.scopesync.metrics.ServerMetrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OPAL clients' {@code GET /ws} (DESIGN §12): decides each upgrade (connection bound, token),
 * serves the accepted connections' RPC calls, notifies them of this node's policy and data update
 * events, pings them, and closes them at shutdown. Every node notifies its own connections, so a
 * client may connect to any node of a cluster.
 *
 * <p>A refused token gets OPAL's answer, 403 with an empty body, but only after {@code
 * pubsub.rejectDelayMillis}: current OPAL clients retry a 403 at once, forever (OPAL-CLIENT.md
 * §5.4, §10.4). Beyond {@code pubsub.maxConnections} an upgrade gets 503, which clients retry with
 * backoff.
 *
 * <p>Made and used on the HTTP verticle's event loop.
 */
public final class PubSubEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(PubSubEndpoint.class);

  /** How often connections are pinged (OPAL server's and the websockets library's interval). */
  static final long PING_INTERVAL_MILLIS = 20_000;

  /** A connection that sent nothing, not even a pong, for this long is gone: closed. */
  static final long SILENCE_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(60);

  /** How long shutdown waits for clients to answer the close handshake. */
  private static final long CLOSE_WAIT_MILLIS = 2_000;

  private static final short GOING_AWAY = 1001;
  private static final short POLICY_VIOLATION = 1008;

  private final Vertx vertx;
  private final ServerConfig config;
  private final AccessPolicy access;
  private final ServerMetrics metrics;
  private final SubscriberRegistry registry = new SubscriberRegistry();
  private final ServerMethods methods;
  private final Notifier notifier;
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
  private long pingTimer = -1;

  /** Upgrades being decided: counted against the connection bound, as they hold a socket. */
  private int handshakes;

  private boolean stopping;

  public PubSubEndpoint(
      Vertx vertx, ServerConfig config, AccessPolicy access, ServerMetrics metrics) {
    this.vertx = vertx;
    this.config = config;
    this.access = access;
    this.metrics = metrics;
    this.methods = new ServerMethods(registry, metrics);
    this.notifier = new Notifier(registry, metrics, this::closeSlow);
  }

  /**
   * The WebSocket settings of the HTTP server: no compression (a deflate context per connection
   * costs hundreds of KB; OPAL clients accept an uncompressed answer to their offer), and client
   * messages up to the size an OPAL client itself accepts.
   */
  public static HttpServerOptions configure(HttpServerOptions options) {
    return options
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false)
        .setMaxWebSocketMessageSize(RpcFrames.MAX_MESSAGE_BYTES);
  }

  /** Listens to this node's update events; the future completes when they are registered. */
  public Future<Void> start() {
    metrics.gauge(
        ServerMetrics.PUBSUB_CONNECTIONS, "OPAL client WebSocket connections", registry::size);
    consumers.add(
        vertx
            .eventBus()
            .<JsonObject>consumer(Addresses.POLICY_UPDATED, m -> notifier.policyUpdated(m.body())));
    consumers.add(
        vertx
            .eventBus()
            .<JsonObject>consumer(Addresses.DATA_UPDATED, m -> notifier.dataUpdated(m.body())));
    pingTimer = vertx.setPeriodic(PING_INTERVAL_MILLIS, id -> keepAlive());
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList()).mapEmpty();
  }

  /** Closes every connection (1001, going away) and stops listening. */
  public Future<Void> stop() {
    stopping = true;
    vertx.cancelTimer(pingTimer);
    List<Future<Void>> closing = new ArrayList<>();
    for (Subscriber s : registry.all()) {
      registry.remove(s);
      closing.add(s.close(GOING_AWAY, "server shutting down"));
    }
    consumers.forEach(MessageConsumer::unregister);
    Promise<Void> done = Promise.promise();
    // Clients that do not answer the close handshake are not waited for: the server closes their
    // sockets.
    long timer = vertx.setTimer(CLOSE_WAIT_MILLIS, t -> done.tryComplete());
    Future.join(closing)
        .onComplete(
            all -> {
              vertx.cancelTimer(timer);
              done.tryComplete();
            });
    return done.future();
  }

  /** Connections open on this node. */
  /**
   * OPAL's {@code ServerStats.clients} for this node: client id (its {@code OPAL_CLIENT_STAT_ID},
   * else its channel id) → its channels, each {@code {"rpc_id", "client_id", "topics"}}.
   */
  public JsonObject clientStatistics() {
    JsonObject clients = new JsonObject();
    for (Subscriber s : registry.all()) {
      String clientId = s.statId() != null ? s.statId() : s.channelId();
      JsonArray topics = new JsonArray();
      s.topics().forEach(topics::add);
      JsonArray channels = clients.getJsonArray(clientId);
      if (channels == null) {
        channels = new JsonArray();
        clients.put(clientId, channels);
      }
      channels.add(
          new JsonObject()
              .put("rpc_id", s.channelId())
              .put("client_id", clientId)
              .put("topics", topics));
    }
    return clients;
  }

  public int connections() {
    return registry.size();
  }

  /**
   * Why this node refuses a {@code GET /ws} now, or null: the edge answers a refusal in its own way
   * ({@code {"detail": …}}), so this package never writes an HTTP answer itself.
   *
   * @param status 400 (not an upgrade) or 503 (at {@code pubsub.maxConnections}, or stopping)
   */
  public record Refusal(int status, String detail) {}

  /** The refusal for this request, or null when it may go on to {@link #upgrade}. */
  public Refusal refusal(HttpServerRequest request) {
    if (!request.canUpgradeToWebSocket()) {
      return new Refusal(400, "GET /ws is OPAL's pub/sub WebSocket: send a WebSocket upgrade");
    }
    if (stopping || registry.size() + handshakes >= config.pubsubMaxConnections()) {
      metrics.pubsubRejected("too_many_connections");
      LOG.info(
          "refused a /ws upgrade from {}: {} connections open, pubsub.maxConnections is {}",
          request.remoteAddress(),
          registry.size() + handshakes,
          config.pubsubMaxConnections());
      return new Refusal(503, "too many pub/sub connections on this node; retry later");
    }
    return null;
  }

  /**
   * The {@code GET /ws} route, for a request {@link #refusal} let through: the token, then the
   * upgrade.
   */
  public void upgrade(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    handshakes++;
    request.pause();
    access
        .authenticate(request.getHeader(HttpHeaders.AUTHORIZATION))
        .onComplete(
            auth -> {
              if (auth.failed()) {
                reject(ctx, auth.cause());
                return;
              }
              request
                  .toWebSocket()
                  .onComplete(
                      upgrade -> {
                        handshakes--;
                        if (upgrade.failed()) {
                          LOG.debug(
                              "a /ws upgrade from {} failed: {}",
                              request.remoteAddress(),
                              upgrade.cause().toString());
                          return;
                        }
                        accept(upgrade.result(), auth.result());
                      });
            });
  }

  /**
   * OPAL's answer to a bad token (403, empty body), after the delay that tames clients' retry loop.
   */
  private void reject(RoutingContext ctx, Throwable why) {
    metrics.pubsubRejected("unauthorized");
    // AuthFailure messages name what was wrong, never the token.
    LOG.info("refused a /ws upgrade from {}: {}", ctx.request().remoteAddress(), why.getMessage());
    Runnable answer =
        () -> {
          handshakes--;
          if (!ctx.response().ended() && !ctx.response().closed()) {
            ctx.response().setStatusCode(403).end();
          }
        };
    if (config.pubsubRejectDelayMillis() == 0) {
      answer.run();
    } else {
      vertx.setTimer(config.pubsubRejectDelayMillis(), t -> answer.run());
    }
  }

  private void accept(ServerWebSocket socket, Claims claims) {
    if (stopping) {
      socket.close(GOING_AWAY, "server shutting down");
      return;
    }
    Subscriber s =
        new Subscriber(
            socket, RpcFrames.newId(), claims, config.pubsubMaxPendingBytes(), System.nanoTime());
    registry.add(s);
    LOG.debug("channel={} connected from {}", s.channelId(), socket.remoteAddress());
    socket.textMessageHandler(text -> onMessage(s, text));
    // The OPAL client's reader parses whatever arrives; so do we.
    socket.binaryMessageHandler(bytes -> onMessage(s, bytes.toString(StandardCharsets.UTF_8)));
    socket.pongHandler(pong -> s.heard(System.nanoTime()));
    socket.exceptionHandler(
        e -> LOG.debug("channel={} socket error: {}", s.channelId(), e.toString()));
    socket.closeHandler(
        closed -> {
          s.markClosed();
          if (registry.remove(s)) {
            LOG.debug("channel={} disconnected", s.channelId());
          }
        });
  }

  private void onMessage(Subscriber s, String text) {
    s.heard(System.nanoTime());
    String answer = methods.handle(s, text);
    if (answer != null && !s.send(answer) && !s.closed()) {
      closeSlow(s);
    }
  }

  /** A client that stopped reading: its socket is closed rather than buffered for without bound. */
  private void closeSlow(Subscriber s) {
    metrics.pubsubRejected("slow_client");
    LOG.info(
        "channel={} closed: {} bytes it has not read, pubsub.maxPendingBytes is {}",
        s.channelId(),
        s.pendingBytes(),
        config.pubsubMaxPendingBytes());
    registry.remove(s);
    s.close(POLICY_VIOLATION, "not reading");
  }

  /** Pings every connection; closes those silent since the limit (a peer gone without a FIN). */
  private void keepAlive() {
    long now = System.nanoTime();
    for (Subscriber s : registry.all()) {
      if (now - s.lastHeardNanos() > SILENCE_LIMIT_NANOS) {
        LOG.debug(
            "channel={} closed: silent for {} s",
            s.channelId(),
            TimeUnit.NANOSECONDS.toSeconds(now - s.lastHeardNanos()));
        registry.remove(s);
        s.close(GOING_AWAY, "no answer to pings");
      } else {
        s.socket().writePing(Buffer.buffer("scopesync"));
      }
    }
  }
}
