package dev.scopesync.http;

import dev.scopesync.metrics.ServerMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds what idle and slow connections cost (DESIGN §15): a connection must complete a request's
 * headers within {@code http.headerTimeoutSeconds} of opening, and again after each answer if it is
 * kept alive, and a request's body within that time after its headers, or it is closed. A request
 * being served — a held long poll, an OPAL client's WebSocket — is exempt: they are idle by design.
 * Beyond {@code http.maxConnections} open connections, a new connection's request is answered 503
 * and the connection closed.
 *
 * <p>Waiting costs a timer, never a thread. Confined to the HTTP verticle's event loop, except
 * {@link #open()}.
 */
final class ConnectionGuard {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);

  private final Vertx vertx;
  private final long headerTimeoutMillis;
  private final int maxConnections;
  private final ServerMetrics metrics;
  private final Map<HttpConnection, Tracked> connections = new HashMap<>();
  private volatile int open;

  ConnectionGuard(
      Vertx vertx, int headerTimeoutSeconds, int maxConnections, ServerMetrics metrics) {
    this.vertx = vertx;
    this.headerTimeoutMillis = headerTimeoutSeconds * 1000L;
    this.maxConnections = maxConnections;
    this.metrics = metrics;
  }

  /** The server's connection handler. */
  void opened(HttpConnection connection) {
    Tracked tracked = new Tracked(connection, connections.size() >= maxConnections);
    connections.put(connection, tracked);
    open = connections.size();
    connection.closeHandler(
        closed -> {
          Tracked gone = connections.remove(connection);
          open = connections.size();
          if (gone != null) {
            gone.stop();
          }
        });
    tracked.arm();
  }

  /**
   * A request's headers are complete: its connection's clock stops until the answer ends.
   *
   * @return false when the connection is beyond the bound: the caller answers 503 and closes
   */
  boolean admit(HttpServerRequest request) {
    Tracked tracked = connections.get(request.connection());
    if (tracked == null) {
      return true;
    }
    tracked.disarm();
    if (tracked.overLimit) {
      metrics.httpDropped("too_many_connections");
      return false;
    }
    long bodyClock = mayHaveBody(request) && !request.isEnded() ? armBodyClock(request) : -1;
    request
        .response()
        .endHandler(
            ended -> {
              if (bodyClock >= 0) {
                vertx.cancelTimer(bodyClock);
              }
              // Kept alive, the connection must send its next request's headers in time too; one
              // that
              // became a WebSocket (101) is the endpoint's to watch. A refused upgrade, or upgrade
              // headers on a plain request, leave an HTTP connection like any other.
              if (request.response().getStatusCode() != 101) {
                tracked.arm();
              }
            });
    return true;
  }

  /** Whether the headers announce a body (a GET without them costs no timer). */
  private static boolean mayHaveBody(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    return (length != null && !length.equals("0"))
        || request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
  }

  /**
   * A request's body must have arrived within the same time after its headers: a client that
   * trickles a body would otherwise hold the connection and its half-read buffer as long as it
   * likes. Answered or not, a request whose body is complete when the clock runs out is left alone.
   */
  private long armBodyClock(HttpServerRequest request) {
    HttpConnection connection = request.connection();
    return vertx.setTimer(
        headerTimeoutMillis,
        fired -> {
          if (!request.isEnded() && connections.containsKey(connection)) {
            metrics.httpDropped("body_timeout");
            LOG.debug(
                "closed a connection from {}: request body not complete within {} ms of its headers",
                connection.remoteAddress(),
                headerTimeoutMillis);
            connection.close();
          }
        });
  }

  /** Open HTTP connections (WebSockets included); safe from any thread. */
  int open() {
    return open;
  }

  /**
   * One connection's header clock: a deadline, and at most one timer that checks it. Re-arming
   * after each answer moves the deadline and leaves a pending timer alone (which, when it fires
   * early, waits again for the rest), so a kept-alive connection does not cost a timer per request.
   */
  private final class Tracked {
    private final HttpConnection connection;
    private final boolean overLimit;

    /**
     * When the connection must have sent complete headers ({@link System#nanoTime}); -1: not
     * waiting.
     */
    private long deadline = -1;

    private long timer = -1;

    Tracked(HttpConnection connection, boolean overLimit) {
      this.connection = connection;
      this.overLimit = overLimit;
    }

    void arm() {
      if (connections.get(connection) != this) {
        return;
      }
      deadline = System.nanoTime() + headerTimeoutMillis * 1_000_000;
      if (timer < 0) {
        schedule(headerTimeoutMillis);
      }
    }

    void disarm() {
      deadline = -1;
    }

    /** The connection closed: its timer goes too. */
    void stop() {
      deadline = -1;
      if (timer >= 0) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
    }

    private void schedule(long millis) {
      timer =
          vertx.setTimer(
              Math.max(1, millis),
              fired -> {
                timer = -1;
                if (deadline < 0) {
                  return; // a request is being served: no clock runs
                }
                long left = deadline - System.nanoTime();
                if (left > 0) {
                  schedule((left + 999_999) / 1_000_000);
                  return;
                }
                metrics.httpDropped("header_timeout");
                LOG.debug(
                    "closed a connection from {}: no complete request headers within {} ms",
                    connection.remoteAddress(),
                    headerTimeoutMillis);
                connection.close();
              });
    }
  }
}
