package dev.scopesync.pubsub;

import dev.scopesync.auth.Claims;
import io.vertx.core.Future;
import io.vertx.core.http.ServerWebSocket;
import java.util.HashMap;
import java.util.Map;

/**
 * One OPAL client's WebSocket: its channel id, its subscriptions, the claims it connected with, and
 * the bytes written to it that the network has not taken yet. That is all a connection holds
 * (DESIGN §12); the socket's own buffers are bounded by {@link #send}.
 *
 * <p>Confined to the HTTP verticle's event loop.
 */
final class Subscriber {
  private final ServerWebSocket socket;
  private final String channelId;
  private final Claims claims;
  private final int maxPendingBytes;

  /** topic → subscription id (OPAL's subscription {@code id}). */
  private final Map<String, String> subscriptions = new HashMap<>(4);

  private long pendingBytes;
  private long lastHeardNanos;
  private boolean closed;

  /** The client's {@code OPAL_CLIENT_STAT_ID}, when it published its statistics; else null. */
  private String statId;

  Subscriber(
      ServerWebSocket socket, String channelId, Claims claims, int maxPendingBytes, long nowNanos) {
    this.socket = socket;
    this.channelId = channelId;
    this.claims = claims;
    this.maxPendingBytes = maxPendingBytes;
    this.lastHeardNanos = nowNanos;
  }

  String channelId() {
    return channelId;
  }

  String statId() {
    return statId;
  }

  void statId(String id) {
    this.statId = id;
  }

  Claims claims() {
    return claims;
  }

  ServerWebSocket socket() {
    return socket;
  }

  /** The subscription id of a topic this connection subscribed to, or null. */
  String subscriptionOf(String topic) {
    return subscriptions.get(topic);
  }

  /** Adds a subscription; false when the topic was subscribed already. */
  boolean subscribe(String topic) {
    return subscriptions.putIfAbsent(topic, RpcFrames.newId()) == null;
  }

  boolean unsubscribe(String topic) {
    return subscriptions.remove(topic) != null;
  }

  Iterable<String> topics() {
    return subscriptions.keySet();
  }

  int topicCount() {
    return subscriptions.size();
  }

  void heard(long nowNanos) {
    lastHeardNanos = nowNanos;
  }

  long lastHeardNanos() {
    return lastHeardNanos;
  }

  long pendingBytes() {
    return pendingBytes;
  }

  boolean closed() {
    return closed;
  }

  /**
   * Writes one text frame, unless the frames not yet taken by the network would then pass the
   * bound: a client that stopped reading is not buffered for.
   *
   * @return false when the frame was not written (closed, or over the bound: the caller closes)
   */
  boolean send(String frame) {
    if (closed) {
      return false;
    }
    int bytes = frame.length(); // PythonJson writes ASCII only
    if (pendingBytes + bytes > maxPendingBytes) {
      return false;
    }
    pendingBytes += bytes;
    socket.writeTextMessage(frame).onComplete(written -> pendingBytes -= bytes);
    return true;
  }

  /** Closes the socket once; later sends are dropped. Completes when the close handshake ends. */
  Future<Void> close(short code, String reason) {
    if (closed) {
      return Future.succeededFuture();
    }
    closed = true;
    return socket.close(code, reason);
  }

  /** The socket went away by itself. */
  void markClosed() {
    closed = true;
  }
}
