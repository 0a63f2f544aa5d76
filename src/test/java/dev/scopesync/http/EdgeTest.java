package dev.scopesync.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.scopesync.testing.Await;
import dev.scopesync.testing.CapturedLogs;
import dev.scopesync.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP edge over raw sockets (DESIGN §15): malformed requests of every kind get a 4xx with a
 * JSON detail (or Netty's own 4xx), never a 5xx or a stack trace, and change nothing; clients that
 * send their headers slowly cost no thread and are dropped at the header timeout; connections
 * beyond the bound get a 503.
 */
class EdgeTest {
  @TempDir Path dir;
  private TestNode node;
  private final CapturedLogs logs = new CapturedLogs();

  @BeforeEach
  void start() throws Exception {
    logs.attach();
    node = startEdgeNode(dir);
  }

  /**
   * A node with a 2 s header clock and a 64 KB body bound, holding one scope ({@code victim}) that
   * must survive.
   */
  static TestNode startEdgeNode(Path dir) throws Exception {
    TestNode node =
        TestNode.start(
            dir,
            c -> {
              c.getJsonObject("http").put("headerTimeoutSeconds", 2).put("maxBodyBytes", 65536);
              return c;
            });
    assertEquals(201, node.put(TestNode.scope("victim", "https://127.0.0.1:1/v.git")).statusCode());
    return node;
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
    logs.detach();
  }

  /**
   * One request over a fresh socket; the status code of the answer, or -1 when the server just
   * closed.
   */
  private int send(byte[] request) throws IOException {
    return send(request, false);
  }

  /**
   * @param halfClose whether to end the sending side after the request (a truncated request: the
   *     server then sees the end of the stream and may close without answering)
   */
  private int send(byte[] request, boolean halfClose) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", node.server.httpPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      try {
        out.write(request);
        out.flush();
        if (halfClose) {
          socket.shutdownOutput();
        }
      } catch (IOException closedEarly) {
        // The server may answer and close before it read everything (431, 413).
      }
      String response = readResponse(socket.getInputStream());
      if (response.isEmpty()) {
        return -1;
      }
      int status = Integer.parseInt(response.substring(9, 12));
      if (status >= 400 && response.toLowerCase().contains("content-type: application/json")) {
        String body = response.substring(response.indexOf("\r\n\r\n") + 4);
        assertTrue(body.startsWith("{\"detail\""), "a JSON detail: " + response);
      }
      return status;
    }
  }

  /**
   * One response: its head and as much body as its Content-Length says (or until the server
   * closes).
   */
  private static String readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    try {
      int n;
      while ((n = in.read(buffer)) > 0) {
        bytes.write(buffer, 0, n);
        String text = bytes.toString(StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end >= 0) {
          java.util.regex.Matcher length =
              java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(text);
          if (length.find()
              && length.start() < end
              && text.length() - end - 4 >= Integer.parseInt(length.group(1))) {
            break;
          }
        }
      }
    } catch (SocketTimeoutException | java.net.SocketException e) {
      // what arrived is what there is
    }
    return bytes.toString(StandardCharsets.ISO_8859_1);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] withBody(String head, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(bytes(head + "Content-Length: " + body.length + "\r\n\r\n"));
    out.writeBytes(body);
    return out.toByteArray();
  }

  @Test
  void namedMalformedRequestsGetTheirOwn4xx() throws Exception {
    String form = "Content-Type: application/x-www-form-urlencoded\r\n";
    assertEquals(
        400, send(withBody("POST /webhook HTTP/1.1\r\nHost: x\r\n" + form, bytes("payload=%zz"))));
    assertEquals(
        400, send(withBody("POST /webhook HTTP/1.1\r\nHost: x\r\n" + form, bytes("a=%G1"))));
    assertEquals(400, send(withBody("POST /webhook HTTP/1.1\r\nHost: x\r\n" + form, bytes("%"))));
    // Only /webhook takes a form; elsewhere it is refused before Netty's decoder sees it.
    assertEquals(
        415,
        send(
            withBody(
                "POST /scopes/victim/data/update HTTP/1.1\r\nHost: x\r\n" + form, bytes("%"))));
    // A form field over Netty's default 8 KB is accepted up to the body limit: no longer a 500.
    assertEquals(
        400,
        send(
            withBody(
                "POST /webhook HTTP/1.1\r\nHost: x\r\n" + form, bytes("a=" + "b".repeat(20_000)))));
    assertEquals(
        413,
        send(
            withBody(
                "POST /webhook HTTP/1.1\r\nHost: x\r\n" + form, bytes("a=" + "b".repeat(70_000)))));
    assertEquals(400, send(bytes("GET /scopes/%zz HTTP/1.1\r\nHost: x\r\n\r\n")));
    assertEquals(404, send(bytes("GET /scopes/%C0%AF HTTP/1.1\r\nHost: x\r\n\r\n")));
    assertEquals(422, send(bytes("GET /scopes/a%2Fb HTTP/1.1\r\nHost: x\r\n\r\n")));
    assertEquals(
        431,
        send(
            bytes(
                "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n")));
    assertEquals(414, send(bytes("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n")));
    assertEquals(400, send(bytes("GARBAGE\r\n\r\n")));
    assertEquals(
        400,
        send(
            withBody(
                "PUT /scopes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n",
                new byte[] {(byte) 0xff, (byte) 0xfe, (byte) 0xc0, (byte) 0x80})));
    assertEquals(
        415,
        send(
            withBody(
                "PUT /scopes HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=z\r\n",
                bytes("--z\r\nbroken"))));
    assertNothingChangedAndNoStackTrace();
  }

  /**
   * RFC 9112 §3.2: one Host on HTTP/1.1, never two; an absolute-form target brings its own
   * authority.
   */
  @Test
  void hostHeaderRules() throws Exception {
    assertEquals(
        400, send(bytes("POST /scopes/victim/refresh HTTP/1.1\r\nContent-Length: 0\r\n\r\n")));
    assertEquals(400, send(bytes("GET /scopes/%ff%fe/policy HTTP/1.1\r\n\r\n")));
    assertEquals(400, send(bytes("GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")));
    assertEquals(400, send(bytes("GET /healthz HTTP/1.1\r\nHost: a b\r\n\r\n")));
    assertEquals(400, send(bytes("DELETE /scopes/victim HTTP/1.1\r\n\r\n")));
    assertEquals(200, send(bytes("GET /healthz HTTP/1.0\r\n\r\n")));
    assertEquals(
        200,
        send(bytes("GET http://127.0.0.1:7002/healthz HTTP/1.1\r\nConnection: close\r\n\r\n")));
    assertEquals(
        200,
        send(
            bytes(
                "GET http://127.0.0.1/scopes/victim HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n")));
    assertEquals(
        400, send(bytes("GET http://u@127.0.0.1/healthz HTTP/1.1\r\nConnection: close\r\n\r\n")));
    assertNothingChangedAndNoStackTrace();
    long warnings =
        logs.list.stream().filter(e -> e.getFormattedMessage().contains("RFC 9112")).count();
    assertEquals(6, warnings, "one WARN line per refused Host");
  }

  /** Each route takes the bodies it documents; anything else is 415 before a decoder sees it. */
  @Test
  void bodiesOfOtherContentTypesGet415NamingWhatTheRouteTakes() throws Exception {
    String multipart = "Content-Type: multipart/form-data; boundary=z\r\n";
    String broken = "--z\r\nContent-Disposition: form-data\r\n\r\nx\r\n--z--\r\n";
    assertEquals(
        415,
        send(
            withBody(
                "POST /scopes/victim/refresh HTTP/1.1\r\nHost: x\r\n" + multipart, bytes(broken))));
    assertEquals(
        415, send(withBody("POST /webhook HTTP/1.1\r\nHost: x\r\n" + multipart, bytes(broken))));
    assertEquals(
        415,
        send(withBody("DELETE /scopes/victim HTTP/1.1\r\nHost: x\r\n" + multipart, bytes(broken))));
    assertEquals(
        415,
        send(withBody("GET /scopes/victim HTTP/1.1\r\nHost: x\r\n" + multipart, bytes(broken))));
    assertEquals(
        415,
        send(
            withBody(
                "PUT /scopes HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n", bytes("{}"))));
    assertEquals(
        415,
        send(
            withBody(
                "PUT /scopes HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n",
                bytes("a=b"))));
    assertEquals(
        400,
        send(
            withBody(
                "PUT /scopes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Type: application/json\r\n",
                bytes("{}"))));
    // Documented types pass the gate (and fail later on their content, as they should).
    assertEquals(
        422,
        send(
            withBody(
                "PUT /scopes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json; charset=utf-8\r\n",
                bytes("{}"))));
    assertEquals(
        422,
        send(withBody("PUT /scopes HTTP/1.1\r\nHost: x\r\n", bytes("{}"))),
        "no Content-Type: JSON");
    assertEquals(
        400,
        send(
            withBody(
                "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n",
                bytes("payload=%7B%7D"))));
    // A bodiless request passes whatever its Content-Type says; a GET's other bodies are not read.
    assertEquals(
        200,
        send(
            bytes(
                "POST /scopes/victim/refresh HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                    + "Content-Length: 0\r\n\r\n")));
    try (Socket socket = new Socket("127.0.0.1", node.server.httpPort())) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              withBody(
                  "PUT /scopes HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n", bytes("a,b")));
      String answer = readResponse(socket.getInputStream());
      assertTrue(answer.contains("this route takes application/json"), answer);
    }
    assertNothingChangedAndNoStackTrace();
  }

  @Test
  void aThousandMalformedRequestsNeverGetA5xxNorChangeState() throws Exception {
    Random random = new Random(20261130);
    String[] routes = {
      "PUT /scopes",
      "POST /webhook",
      "POST /scopes/victim/data/update",
      "POST /scopes/victim/refresh",
      "GET /scopes/victim",
      "DELETE /scopes/%zz",
      "GET /ws",
      "GET /scopes/victim/policy?base_hash=%",
      "POST /scopes/refresh"
    };
    String[] types = {
      "application/json",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=b",
      "text/plain",
      "",
      "application/json; charset=ebcdic"
    };
    int[] statuses = new int[600];
    for (int i = 0; i < 1200; i++) {
      String route = routes[random.nextInt(routes.length)];
      String type = types[random.nextInt(types.length)];
      byte[] body = body(random);
      byte[] request =
          switch (random.nextInt(8)) {
            case 0 ->
                bytes(
                    route
                        + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + Integer.toHexString(random.nextInt(5000))
                        + "zz\r\n"
                        + new String(body, StandardCharsets.ISO_8859_1));
            case 1 ->
                Random.class.isInstance(random)
                    ? randomBytes(random, 1 + random.nextInt(300))
                    : null;
            case 2 ->
                truncated(
                    withBody(
                        route + " HTTP/1.1\r\nHost: x\r\nContent-Type: " + type + "\r\n", body),
                    random);
            case 3 ->
                bytes(
                    route
                        + " HTTP/1.1\r\nHost: x\r\n"
                        + "X-Flood: y\r\n".repeat(1 + random.nextInt(2000))
                        + "\r\n");
            case 4 ->
                bytes(
                    route.replace(
                            " /",
                            " /" + "%".repeat(1 + random.nextInt(3)) + "%0" + random.nextInt(10))
                        + " HTTP/1.1\r\nHost: x\r\n\r\n");
            default ->
                withBody(
                    route
                        + " HTTP/1.1\r\nHost: x\r\n"
                        + (type.isEmpty() ? "" : "Content-Type: " + type + "\r\n"),
                    body);
          };
      int status = send(request, true);
      assertTrue(
          status < 500,
          "request "
              + i
              + " got "
              + status
              + ": "
              + new String(request, StandardCharsets.ISO_8859_1));
      statuses[Math.max(0, status)]++;
      if (i % 200 == 0) {
        assertEquals(200, node.request("GET", "/healthz", null).statusCode(), "after request " + i);
      }
    }
    assertTrue(statuses[400] > 100, "most are refused as malformed: " + statuses[400]);
    assertNothingChangedAndNoStackTrace();
  }

  private static byte[] body(Random random) {
    return switch (random.nextInt(5)) {
      case 0 ->
          bytes(
              "payload="
                  + "%".repeat(random.nextInt(3))
                  + "%"
                  + (char) ('g' + random.nextInt(10))
                  + "1&x="
                  + "a".repeat(random.nextInt(20_000)));
      case 1 -> randomBytes(random, random.nextInt(2000));
      case 2 ->
          bytes(
              "{\"entries\": [{\"url\": \""
                  + "\\ud800".repeat(random.nextInt(3))
                  + "\"}], \"x\": "
                  + "[".repeat(random.nextInt(600)));
      case 3 -> bytes("a=" + "b".repeat(random.nextInt(90_000)));
      default ->
          bytes("{\"scope_id\": \"" + "\u0001".repeat(random.nextInt(3)) + "%zz\", \"policy\": 5}");
    };
  }

  private static byte[] randomBytes(Random random, int n) {
    byte[] bytes = new byte[n];
    random.nextBytes(bytes);
    return bytes;
  }

  private static byte[] truncated(byte[] request, Random random) {
    return java.util.Arrays.copyOf(
        request, Math.max(1, request.length - 1 - random.nextInt(Math.max(1, request.length / 2))));
  }

  private void assertNothingChangedAndNoStackTrace() throws Exception {
    JsonObject scope = new JsonObject(node.request("GET", "/scopes/victim", null).body());
    assertEquals("victim", scope.getString("scope_id"));
    assertEquals(
        1, new io.vertx.core.json.JsonArray(node.request("GET", "/scopes", null).body()).size());
    assertEquals(200, node.request("GET", "/ready", null).statusCode());
    List<ILoggingEvent> bad = new ArrayList<>();
    for (ILoggingEvent event : logs.list) {
      // The victim's own clone fails (its remote refuses): that ERROR line is the fetcher's,
      // expected.
      if (event.getThrowableProxy() != null
          || (event.getLevel().isGreaterOrEqual(Level.ERROR)
              && !event.getLoggerName().startsWith("dev.scopesync.fetcher")
              && !event.getLoggerName().startsWith("dev.scopesync.git"))) {
        bad.add(event);
      }
    }
    assertTrue(bad.isEmpty(), "log lines with a stack trace or at ERROR: " + bad);
  }

  @Test
  void slowHeaderClientsCostNoThreadAndAreDroppedAtTheHeaderTimeout() throws Exception {
    int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
    List<Socket> slow = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      Socket socket = new Socket("127.0.0.1", node.server.httpPort());
      socket.setSoTimeout(100);
      slow.add(socket);
    }
    byte[] request = bytes("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    ScheduledExecutorService dripper = Executors.newSingleThreadScheduledExecutor();
    try {
      // One byte a second on every socket, from a single client thread.
      int[] sent = {0};
      dripper.scheduleAtFixedRate(
          () -> {
            for (Socket socket : slow) {
              try {
                socket.getOutputStream().write(request[Math.min(sent[0], request.length - 1)]);
              } catch (IOException closed) {
                // dropped by the server: expected
              }
            }
            sent[0]++;
          },
          0,
          1,
          TimeUnit.SECONDS);
      Await.until(() -> node.metric("scopesync_http_connections") >= 500);
      // The server keeps answering while 500 connections dawdle.
      assertEquals(200, node.request("GET", "/healthz", null).statusCode());
      assertTrue(
          ManagementFactory.getThreadMXBean().getThreadCount() <= threadsBefore + 5,
          "threads "
              + ManagementFactory.getThreadMXBean().getThreadCount()
              + " vs "
              + threadsBefore);
      // Dropped at the header timeout (2 s): never a complete request, so never an answer.
      Await.until(
          () -> node.metric("scopesync_http_dropped_total{reason=\"header_timeout\"}") >= 500);
      for (Socket socket : slow) {
        assertEquals(-1, readOrEof(socket), "closed by the server, without an answer");
      }
      Await.until(() -> node.metric("scopesync_http_connections") <= 1);
    } finally {
      dripper.shutdownNow();
      for (Socket socket : slow) {
        socket.close();
      }
    }
  }

  @Test
  void aBodyThatTricklesIsDroppedAtTheTimeoutAndASlowButTimelyOneIsServed() throws Exception {
    String scope = TestNode.scope("late", "https://127.0.0.1:1/late.git").encode();
    byte[] head =
        bytes(
            "PUT /scopes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                + scope.length()
                + "\r\n\r\n");
    try (Socket trickle = new Socket("127.0.0.1", node.server.httpPort())) {
      trickle.setSoTimeout(100);
      trickle.getOutputStream().write(head);
      // Headers complete, then one byte of the body a second: never done within the 2 s.
      try {
        for (int i = 0; i < 5 && readOrEofNow(trickle) == -2; i++) {
          trickle.getOutputStream().write(scope.charAt(i));
          Thread.sleep(1000);
        }
      } catch (IOException closed) {
        // the server dropped it while the client was still writing: expected
      }
      assertEquals(-1, readOrEof(trickle), "closed by the server, without an answer");
      assertEquals(1, node.metric("scopesync_http_dropped_total{reason=\"body_timeout\"}"));
      assertEquals(
          404,
          node.request("GET", "/scopes/late", null).statusCode(),
          "nothing stored from half a body");
    }
    // A body in two halves half a second apart is in time: stored, and the connection kept.
    try (Socket timely = new Socket("127.0.0.1", node.server.httpPort())) {
      timely.setSoTimeout(10_000);
      timely.getOutputStream().write(head);
      timely.getOutputStream().write(bytes(scope.substring(0, 10)));
      Thread.sleep(500);
      timely.getOutputStream().write(bytes(scope.substring(10)));
      String status =
          new String(
              timely.getInputStream().readNBytes(12), java.nio.charset.StandardCharsets.US_ASCII);
      assertEquals("HTTP/1.1 201", status);
      assertEquals(200, node.request("GET", "/scopes/late", null).statusCode());
      Thread.sleep(2500);
      assertEquals(
          1,
          node.metric("scopesync_http_dropped_total{reason=\"body_timeout\"}"),
          "an answered request's clock is off");
    }
  }

  @Test
  void upgradeHeadersOnAPlainRequestDoNotStopTheIdleClock() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", node.server.httpPort())) {
      socket.setSoTimeout(100);
      socket
          .getOutputStream()
          .write(
              bytes(
                  "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n"
                      + "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"));
      assertEquals('H', readOrEof(socket), "answered like any request");
      // Then silent: dropped at the header timeout (2 s) like any kept-alive connection.
      long until = System.nanoTime() + 10_000_000_000L;
      int read;
      do {
        read = readOrEofNow(socket);
      } while (read != -1 && System.nanoTime() < until);
      assertEquals(-1, read, "closed by the server");
    }
  }

  @Test
  void aConnectionBeyondTheBoundGets503AndIsClosed() throws Exception {
    try (TestNode limited =
            TestNode.start(
                dir.resolve("limited"),
                c -> {
                  c.getJsonObject("http").put("maxConnections", 1);
                  return c;
                });
        Socket first = new Socket("127.0.0.1", limited.server.httpPort())) {
      Await.until(() -> limited.metric("scopesync_http_connections") >= 1);
      try (Socket second = new Socket("127.0.0.1", limited.server.httpPort())) {
        second.setSoTimeout(10_000);
        second.getOutputStream().write(bytes("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
        String answer =
            new String(
                second.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        assertTrue(answer.startsWith("HTTP/1.1 503"), answer);
        // readAllBytes returned: the server closed the connection after its answer.
      }
    }
  }

  /** -1 when the server has closed the socket, -2 when it is still open and silent. */
  private static int readOrEofNow(Socket socket) {
    try {
      return socket.getInputStream().read();
    } catch (SocketTimeoutException e) {
      return -2;
    } catch (IOException e) {
      return -1;
    }
  }

  private static int readOrEof(Socket socket) {
    for (int attempt = 0; attempt < 100; attempt++) {
      try {
        return socket.getInputStream().read();
      } catch (SocketTimeoutException e) {
        // not closed yet
      } catch (IOException e) {
        return -1;
      }
    }
    return -2;
  }
}
