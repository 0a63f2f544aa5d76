package dev.scopesync.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One socket of an OPAL client, on the JDK's own WebSocket client (independent of Vert.x): sends
 * the frames of OPAL-CLIENT.md §2.7/§2.8 byte for byte, as fastapi_websocket_rpc writes them, and
 * queues every text message it receives. {@link #stopReading()} makes it a client that no longer
 * reads: the JDK client reads from the socket only on demand.
 */
public final class OpalWsClient implements AutoCloseable {
  public static final Duration WAIT = Duration.ofSeconds(30);

  private final WebSocket socket;
  private final BlockingQueue<String> messages;
  private final CompletableFuture<Integer> closed;
  private final BlockingQueue<String> pongs;

  private OpalWsClient(
      WebSocket socket,
      BlockingQueue<String> messages,
      BlockingQueue<String> pongs,
      CompletableFuture<Integer> closed) {
    this.socket = socket;
    this.messages = messages;
    this.pongs = pongs;
    this.closed = closed;
  }

  /**
   * Connects to {@code ws://127.0.0.1:<port>/ws}, with {@code Authorization: Bearer <token>} unless
   * null.
   */
  public static OpalWsClient connect(int port, String token) {
    BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    BlockingQueue<String> pongs = new LinkedBlockingQueue<>();
    CompletableFuture<Integer> closed = new CompletableFuture<>();
    AtomicBoolean reading = new AtomicBoolean(true);
    WebSocket.Listener listener =
        new WebSocket.Listener() {
          private final StringBuilder partial = new StringBuilder();

          @Override
          public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
              messages.add(partial.toString());
              partial.setLength(0);
            }
            if (reading.get()) {
              ws.request(1);
            }
            return null;
          }

          @Override
          public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
            pongs.add(java.nio.charset.StandardCharsets.UTF_8.decode(message).toString());
            ws.request(1);
            return null;
          }

          @Override
          public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
          }

          @Override
          public void onError(WebSocket ws, Throwable error) {
            closed.complete(-1);
          }
        };
    WebSocket.Builder builder =
        HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
    if (token != null) {
      builder.header("Authorization", "Bearer " + token);
    }
    try {
      WebSocket socket =
          builder
              .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), listener)
              .get(30, TimeUnit.SECONDS);
      OpalWsClient client = new OpalWsClient(socket, messages, pongs, closed);
      client.readingFlag = reading;
      return client;
    } catch (ExecutionException e) {
      throw new UpgradeRefused(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private AtomicBoolean readingFlag;

  /** The HTTP status of a refused upgrade (the JDK client's handshake exception). */
  public static final class UpgradeRefused extends RuntimeException {
    public UpgradeRefused(Throwable cause) {
      super(cause);
    }

    public int status() {
      return getCause() instanceof WebSocketHandshakeException h
          ? h.getResponse().statusCode()
          : -1;
    }

    public String body() {
      return getCause() instanceof WebSocketHandshakeException h && h.getResponse().body() != null
          ? h.getResponse().body().toString()
          : "";
    }
  }

  /** A request frame exactly as the OPAL client writes it; returns its call id. */
  public String call(String method, JsonObject arguments) {
    String callId = UUID.randomUUID().toString().replace("-", "");
    send(request(method, arguments, callId));
    return callId;
  }

  /** fastapi_websocket_rpc's request envelope (pydantic v1 {@code .json()}). */
  public static String request(String method, JsonObject arguments, String callId) {
    return "{\"request\": {\"method\": \""
        + method
        + "\", \"arguments\": "
        + python(arguments)
        + ", \"call_id\": \""
        + callId
        + "\"}, \"response\": null}";
  }

  /** The client's answer to a notify (no annotation, so {@code "None"} as a {@code str}). */
  public void answerNotify(String callId) {
    send(
        "{\"request\": null, \"response\": {\"result\": \"None\", \"result_type\": \"str\", \"call_id\": \""
            + callId
            + "\"}}");
  }

  /**
   * The handshake of OPAL-CLIENT.md §2.5: the readiness ping, then one subscribe; asserts both
   * answers.
   */
  public void handshake(String... topics) {
    String ping = call("_ping_", new JsonObject());
    expectExactly(
        "{\"request\": null, \"response\": {\"result\": \"pong\", \"result_type\": \"str\", \"call_id\": \""
            + ping
            + "\"}}");
    String subscribe =
        call("subscribe", new JsonObject().put("topics", new JsonArray(java.util.List.of(topics))));
    expectExactly(
        "{\"request\": null, \"response\": {\"result\": true, \"result_type\": \"bool\", \"call_id\": \""
            + subscribe
            + "\"}}");
  }

  public void send(String text) {
    socket.sendText(text, true).join();
  }

  public void sendBinary(byte[] bytes) {
    socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
  }

  public void ping(String payload) {
    socket
        .sendPing(ByteBuffer.wrap(payload.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .join();
  }

  /** The next pong's payload. */
  public String nextPong() throws InterruptedException {
    String pong = pongs.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    if (pong == null) {
      throw new AssertionError("no pong within " + WAIT);
    }
    return pong;
  }

  /** The next text message. */
  public String next() throws InterruptedException {
    String message = messages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    if (message == null) {
      throw new AssertionError(
          "no message within "
              + WAIT
              + (closed.isDone() ? " (closed: " + closed.join() + ")" : ""));
    }
    return message;
  }

  public JsonObject nextJson() throws InterruptedException {
    return new JsonObject(next());
  }

  public void expectExactly(String frame) {
    try {
      String got = next();
      if (!frame.equals(got)) {
        throw new AssertionError("expected frame\n  " + frame + "\nbut got\n  " + got);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Messages received and not taken yet. */
  public int queued() {
    return messages.size();
  }

  /** From now on nothing more is read from the socket: the server's frames pile up. */
  public void stopReading() {
    readingFlag.set(false);
  }

  /** The close code the server sent (-1: the connection broke), waiting for it. */
  public int awaitClose() throws Exception {
    return closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  public boolean isClosed() {
    return closed.isDone();
  }

  @Override
  public void close() {
    if (!closed.isDone()) {
      socket.abort();
    }
  }

  /**
   * A small Python {@code json.dumps} for the arguments the OPAL client sends (strings and lists of
   * them).
   */
  static String python(JsonObject arguments) {
    StringBuilder out = new StringBuilder("{");
    boolean first = true;
    for (String key : arguments.fieldNames()) {
      if (!first) {
        out.append(", ");
      }
      first = false;
      out.append('"').append(key).append("\": ").append(pythonValue(arguments.getValue(key)));
    }
    return out.append('}').toString();
  }

  private static String pythonValue(Object value) {
    if (value instanceof JsonArray array) {
      StringBuilder out = new StringBuilder("[");
      for (int i = 0; i < array.size(); i++) {
        out.append(i > 0 ? ", " : "").append(pythonValue(array.getValue(i)));
      }
      return out.append(']').toString();
    }
    if (value instanceof String s) {
      return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
    return String.valueOf(value);
  }
}
