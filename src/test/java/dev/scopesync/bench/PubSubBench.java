package dev.scopesync.bench;

import dev.scopesync.bus.Addresses;
import dev.scopesync.testing.GitDaemon;
import dev.scopesync.testing.TestNode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * OPAL clients' {@code /ws}, measured with real WebSocket clients speaking the RPC protocol
 * (OPAL-CLIENT.md §2): every socket pings, subscribes and answers the notifies it gets.
 *
 * <ol>
 *   <li>Connections: a server in its own JVM ({@code -Xmx1g}, so its heap is measured alone) takes
 *       N OPAL clients, each with a policy and a data socket, over S scopes (round robin). Prints
 *       the connect + handshake rate and the server's heap after a full GC before and after, its
 *       RSS and threads.
 *   <li>Fan-out: an in-process node with 1,000 clients subscribed to one scope's policy; a policy
 *       update event is published on the node's event bus (what the fetcher does the moment it
 *       finds a new commit) and the arrival of every client's {@code notify} is timed.
 * </ol>
 */
public final class PubSubBench {
  /** Upgrades + handshakes in flight at once. */
  private static final int IN_FLIGHT = 200;

  private static final int FAN_CLIENTS = 1000;
  private static final int FAN_ROUNDS = 50;
  private static final int FAN_WARMUP_ROUNDS = 30;
  private static final String FAN_SCOPE = "fan";
  private static final Duration CONNECT_DEADLINE = Duration.ofMinutes(5);

  private PubSubBench() {}

  public static void main(String[] args) throws Exception {
    int clients = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
    int scopes = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    Path dir = Files.createTempDirectory("scopesync-bench");
    Vertx vertx = Vertx.vertx();
    try {
      WebSocketClient client =
          vertx.createWebSocketClient(
              new WebSocketClientOptions()
                  .setMaxConnections(Integer.MAX_VALUE)
                  .setConnectTimeout(30_000)
                  .setTcpNoDelay(true));
      List<Context> loops = eventLoops(vertx);
      connections(client, loops, dir.resolve("server"), clients, scopes);
      System.out.println();
      fanOut(client, loops, dir.resolve("node"));
    } finally {
      vertx.close().await(60, TimeUnit.SECONDS);
      try (var walk = Files.walk(dir)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  // ---------------------------------------------------------------- 1. connections

  private static void connections(
      WebSocketClient client, List<Context> loops, Path dir, int clients, int scopes)
      throws Exception {
    int sockets = clients * 2;
    int port = GitDaemon.freePort();
    Files.createDirectories(dir);
    JsonObject conf =
        new JsonObject()
            .put("http", new JsonObject().put("host", "127.0.0.1").put("port", port))
            .put("store", new JsonObject().put("dir", dir.resolve("scopes").toString()))
            .put("git", new JsonObject().put("baseDir", dir.resolve("data").toString()))
            .put("debug", new JsonObject().put("internalStats", true))
            .put(
                "pubsub", new JsonObject().put("maxConnections", Math.max(20_000, sockets + 1000)));
    Path confFile = dir.resolve("config.json");
    Files.writeString(confFile, conf.encodePrettily());
    Path log = Files.createDirectories(Path.of("target", "bench")).resolve("pubsub-server.log");

    List<String> command = new ArrayList<>(List.of(JdkTools.java(), "-Xmx1g"));
    for (String property : new String[] {"logback.configurationFile", "java.io.tmpdir"}) {
      if (System.getProperty(property) != null) {
        command.add("-D" + property + "=" + System.getProperty(property));
      }
    }
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            "dev.scopesync.Main",
            "--conf",
            confFile.toString()));
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("SCOPESYNC_"));
    Process server = builder.start();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    List<OpalSocket> open = List.of();
    try {
      awaitReady(http, port, server, log);
      JsonObject before = statsAfterGc(http, port, server.pid());
      long t0 = System.nanoTime();
      Connected connected =
          connectAll(
              client,
              loops,
              port,
              sockets,
              i ->
                  (i % 2 == 0
                      ? "s" + (i / 2 % scopes) + ":policy:."
                      : "s" + (i / 2 % scopes) + ":data:policy_data"),
              null);
      double seconds = (System.nanoTime() - t0) / 1e9;
      open = connected.sockets;
      long serverSide = pubsubConnections(http, port);
      JsonObject after = statsAfterGc(http, port, server.pid());
      long threads = threads(server.pid());
      long heapBefore = before.getLong("heap_used_bytes");
      long heapAfter = after.getLong("heap_used_bytes");
      double perSocketKb =
          open.isEmpty() ? Double.NaN : (heapAfter - heapBefore) / 1024.0 / open.size();

      System.out.printf(
          "| pub/sub connections: %,d OPAL clients × 2 sockets over %d scopes, server in its own JVM (-Xmx1g) | |%n",
          clients, scopes);
      System.out.println("|---|---|");
      System.out.printf(
          "| sockets open (ping + subscribe answered) | %,d of %,d%s |%n",
          open.size(),
          sockets,
          connected.failures == 0
              ? ""
              : " — " + connected.failures + " failed, first: " + connected.firstFailure);
      System.out.printf(
          "| server's count of connections (`%s`) | %,d |%n",
          "scopesync_pubsub_connections", serverSide);
      System.out.printf(
          "| connect + upgrade + ping + subscribe, %d in flight | %.2f s, %,.0f sockets/s |%n",
          IN_FLIGHT, seconds, sockets / seconds);
      System.out.printf(
          "| server heap after full GC, before → after | %.1f MB → %.1f MB |%n",
          heapBefore / 1048576.0, heapAfter / 1048576.0);
      System.out.printf("| server heap per socket | %.1f KB |%n", perSocketKb);
      System.out.printf(
          "| server RSS, before → after | %.0f MB → %.0f MB |%n",
          before.getLong("rss_kb") / 1024.0, after.getLong("rss_kb") / 1024.0);
      System.out.printf(
          "| server open fds / threads (with the sockets open) | %,d / %d |%n",
          after.getLong("open_fds", -1L), threads);
    } finally {
      closeAll(open);
      server.destroy(); // SIGTERM: the server's shutdown hook runs
      if (!server.waitFor(60, TimeUnit.SECONDS)) {
        System.err.println("server did not stop within 60 s of SIGTERM: killed");
        server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      reportServerLog(log);
    }
  }

  private static void awaitReady(HttpClient http, int port, Process server, Path log)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      if (!server.isAlive()) {
        throw new IllegalStateException(
            "server exited with " + server.exitValue() + ": " + Files.readString(log));
      }
      try {
        if (get(http, port, "/ready").statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("server not ready within 120 s; log: " + log);
  }

  /** {@code /internal/stats} right after a full GC of the server ({@code jcmd <pid> GC.run}). */
  private static JsonObject statsAfterGc(HttpClient http, int port, long pid) throws Exception {
    for (int i = 0; i < 2; i++) {
      Process jcmd =
          new ProcessBuilder(JdkTools.jcmd(), Long.toString(pid), "GC.run")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!jcmd.waitFor(120, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
        throw new IllegalStateException("jcmd " + pid + " GC.run failed");
      }
    }
    HttpResponse<String> response = get(http, port, "/internal/stats");
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "/internal/stats: " + response.statusCode() + " " + response.body());
    }
    return new JsonObject(response.body());
  }

  /**
   * The server's {@code scopesync_pubsub_connections} gauge, from {@code /metrics}; -1 if absent.
   */
  private static long pubsubConnections(HttpClient http, int port) throws Exception {
    for (String line : get(http, port, "/metrics").body().split("\n")) {
      if (line.startsWith("scopesync_pubsub_connections")) {
        return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return -1;
  }

  private static HttpResponse<String> get(HttpClient http, int port, String path)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static long threads(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("Threads:")) {
        return Long.parseLong(line.substring("Threads:".length()).trim());
      }
    }
    return -1;
  }

  /**
   * Warnings and errors the server logged, so a bench run does not hide them; but not the start's
   * reminders that the bench's config has no token key and no webhook secret.
   */
  private static void reportServerLog(Path log) throws IOException {
    List<String> problems =
        Files.readAllLines(log).stream()
            .filter(l -> l.contains(" WARN ") || l.contains(" ERROR ") || l.contains("Exception"))
            .filter(
                l ->
                    !l.contains("auth.publicKey is not set")
                        && !l.contains("webhook.secret is not set"))
            .toList();
    if (problems.isEmpty()) {
      return;
    }
    System.out.printf(
        "%nserver log (%s): %d warning or error line(s), the first ones:%n", log, problems.size());
    problems.stream().limit(5).forEach(l -> System.out.println("    " + l));
  }

  // ---------------------------------------------------------------- 2. fan-out

  private static void fanOut(WebSocketClient client, List<Context> loops, Path dir)
      throws Exception {
    FanOut recorder = new FanOut();
    try (TestNode node = TestNode.start(dir)) {
      int port = node.server.httpPort();
      Connected policy =
          connectAll(client, loops, port, FAN_CLIENTS, i -> FAN_SCOPE + ":policy:.", recorder);
      requireAll(policy, FAN_CLIENTS);
      System.out.printf(
          "| fan-out: policy update event published → `notify` received, %d rounds | deliveries p50 | p99 | max | last of %,d: p50 | p99 | GC time, bench JVM (node + clients) |%n",
          FAN_ROUNDS, FAN_CLIENTS);
      System.out.println("|---|---|---|---|---|---|---|");
      recorder.measure(
          node,
          policy.sockets,
          String.format(
              "%,d clients, policy socket only (%,d sockets open)", FAN_CLIENTS, FAN_CLIENTS));
      Connected data =
          connectAll(
              client, loops, port, FAN_CLIENTS, i -> FAN_SCOPE + ":data:policy_data", recorder);
      try {
        requireAll(data, FAN_CLIENTS);
        recorder.measure(
            node,
            policy.sockets,
            String.format(
                "%,d clients, policy + data sockets (%,d sockets open)",
                FAN_CLIENTS, 2 * FAN_CLIENTS));
      } finally {
        closeAll(data.sockets);
      }
      closeAll(policy.sockets);
      if (recorder.unexpected.get() > 0) {
        System.out.printf(
            "%n%d notifies arrived on a socket not subscribed to their topic, or with a topic not subscribed to%n",
            recorder.unexpected.get());
      }
    }
  }

  /** Times deliveries of policy updates: arrival of round r at socket i. */
  private static final class FanOut implements NotifyListener {
    final AtomicInteger unexpected = new AtomicInteger();
    private volatile Round round;

    private record Round(int number, long[] arrivals, CountDownLatch received) {}

    void measure(TestNode node, List<OpalSocket> sockets, String label) throws Exception {
      int n = sockets.size();
      double[] deliveries = new double[FAN_ROUNDS * n];
      double[] last = new double[FAN_ROUNDS];
      long gcMillis = 0;
      System.gc(); // the garbage of what came before is not collected during the rounds
      for (int r = -FAN_WARMUP_ROUNDS; r < FAN_ROUNDS; r++) {
        int number = ROUNDS.incrementAndGet();
        Round current = new Round(number, new long[n], new CountDownLatch(n));
        round = current;
        JsonObject event =
            new JsonObject()
                .put("scope_id", FAN_SCOPE)
                .put("old_policy_hash", hash(number - 1))
                .put("new_policy_hash", hash(number))
                .put("changed_directories", new JsonArray().add("."))
                .put("topics", new JsonArray().add("policy:."));
        long gc0 = gcMillis();
        long t0 = System.nanoTime();
        node.vertx.eventBus().publish(Addresses.POLICY_UPDATED, event);
        if (!current.received.await(60, TimeUnit.SECONDS)) {
          throw new IllegalStateException(
              "round "
                  + number
                  + ": "
                  + current.received.getCount()
                  + " of "
                  + n
                  + " sockets got no notify within 60 s");
        }
        if (r >= 0) {
          gcMillis += gcMillis() - gc0;
          long latest = 0;
          for (int i = 0; i < n; i++) {
            long dt = current.arrivals[i] - t0;
            deliveries[r * n + i] = dt / 1e6;
            latest = Math.max(latest, dt);
          }
          last[r] = latest / 1e6;
        }
        Thread.sleep(20); // the clients' replies drain; rounds do not overlap
      }
      Arrays.sort(deliveries);
      Arrays.sort(last);
      System.out.printf(
          "| %s | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %d ms |%n",
          label,
          percentile(deliveries, 0.50),
          percentile(deliveries, 0.99),
          deliveries[deliveries.length - 1],
          percentile(last, 0.50),
          percentile(last, 0.99),
          gcMillis);
    }

    @Override
    public void notified(OpalSocket socket, JsonObject arguments, long arrivalNanos) {
      String topic = arguments.getJsonObject("subscription", new JsonObject()).getString("topic");
      JsonObject data = arguments.getJsonObject("data", new JsonObject());
      Round current = round;
      if (!socket.topic.equals(topic)
          || !(FAN_SCOPE + ":policy:.").equals(topic)
          || current == null
          || !hash(current.number).equals(data.getString("new_policy_hash"))) {
        unexpected.incrementAndGet();
        return;
      }
      current.arrivals[socket.index] = arrivalNanos;
      current.received.countDown();
    }
  }

  private static final AtomicInteger ROUNDS = new AtomicInteger();

  /**
   * GC time of this JVM (node and clients) so far: pauses and concurrent work, as the collectors
   * count it.
   */
  private static long gcMillis() {
    return java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
        .mapToLong(gc -> Math.max(0, gc.getCollectionTime()))
        .sum();
  }

  private static String hash(int number) {
    return String.format("%040x", number);
  }

  private static double percentile(double[] sorted, double p) {
    return sorted[Math.max(0, Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * p) - 1))];
  }

  // ---------------------------------------------------------------- OPAL-like client sockets

  interface NotifyListener {
    /** On the socket's event loop. */
    void notified(OpalSocket socket, JsonObject arguments, long arrivalNanos);
  }

  private record Connected(List<OpalSocket> sockets, int failures, String firstFailure) {}

  /** One event-loop context per event loop of the client's Vert.x: sockets are spread over them. */
  private static List<Context> eventLoops(Vertx vertx) {
    int n = 2 * Runtime.getRuntime().availableProcessors(); // Vert.x's default event loop pool size
    List<Context> contexts = Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < n; i++) {
      vertx
          .deployVerticle(
              new VerticleBase() {
                @Override
                public Future<?> start() {
                  contexts.add(context);
                  return Future.succeededFuture();
                }
              })
          .await();
    }
    return List.copyOf(contexts);
  }

  /**
   * Opens {@code count} sockets, at most {@link #IN_FLIGHT} handshakes at once; socket i subscribes
   * to {@code topicOf.apply(i)}. Blocks the calling (main) thread only.
   */
  private static Connected connectAll(
      WebSocketClient client,
      List<Context> loops,
      int port,
      int count,
      IntFunction<String> topicOf,
      NotifyListener listener)
      throws InterruptedException {
    Semaphore inFlight = new Semaphore(IN_FLIGHT);
    CountDownLatch done = new CountDownLatch(count);
    OpalSocket[] sockets = new OpalSocket[count];
    AtomicInteger failures = new AtomicInteger();
    AtomicReference<String> firstFailure = new AtomicReference<>();
    long deadline = System.nanoTime() + CONNECT_DEADLINE.toNanos();
    for (int i = 0; i < count; i++) {
      if (!inFlight.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        throw new IllegalStateException(
            "connecting " + count + " sockets took over " + CONNECT_DEADLINE);
      }
      int index = i;
      loops
          .get(i % loops.size())
          .runOnContext(
              v ->
                  OpalSocket.open(client, port, index, topicOf.apply(index), listener)
                      .onComplete(
                          ar -> {
                            if (ar.succeeded()) {
                              sockets[index] = ar.result();
                            } else {
                              failures.incrementAndGet();
                              firstFailure.compareAndSet(null, ar.cause().toString());
                            }
                            inFlight.release();
                            done.countDown();
                          }));
    }
    if (!done.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
      throw new IllegalStateException(
          "connecting " + count + " sockets took over " + CONNECT_DEADLINE);
    }
    List<OpalSocket> open = new ArrayList<>(count);
    for (OpalSocket s : sockets) {
      if (s != null) {
        open.add(s);
      }
    }
    return new Connected(open, failures.get(), firstFailure.get());
  }

  private static void requireAll(Connected connected, int count) {
    if (connected.sockets.size() != count) {
      throw new IllegalStateException(
          connected.failures
              + " of "
              + count
              + " sockets failed; first: "
              + connected.firstFailure);
    }
  }

  private static void closeAll(List<OpalSocket> sockets) throws Exception {
    if (sockets.isEmpty()) {
      return;
    }
    Future.join(sockets.stream().map(s -> s.ws.close()).toList()).await(60, TimeUnit.SECONDS);
  }

  /**
   * A socket of an OPAL client: pings, subscribes to one topic, answers the server's notifies and
   * pings as the Python client does. Used on its event loop only.
   */
  static final class OpalSocket {
    final WebSocket ws;
    final int index;
    final String topic;
    private final NotifyListener listener;
    private String awaitedCallId;
    private Promise<JsonObject> awaited;

    private OpalSocket(WebSocket ws, int index, String topic, NotifyListener listener) {
      this.ws = ws;
      this.index = index;
      this.topic = topic;
      this.listener = listener;
    }

    /** Upgrade, {@code _ping_} → "pong", {@code subscribe} → true. */
    static Future<OpalSocket> open(
        WebSocketClient client, int port, int index, String topic, NotifyListener listener) {
      return client
          .connect(port, "127.0.0.1", "/ws")
          .compose(
              ws -> {
                OpalSocket s = new OpalSocket(ws, index, topic, listener);
                ws.textMessageHandler(s::onText);
                ws.closeHandler(v -> s.fail("socket closed"));
                ws.exceptionHandler(e -> s.fail(e.toString()));
                return s.call("_ping_", new JsonObject())
                    .compose(pong -> expect(pong, "pong", "_ping_"))
                    .compose(
                        v ->
                            s.call(
                                "subscribe",
                                new JsonObject().put("topics", new JsonArray().add(topic))))
                    .compose(ok -> expect(ok, true, "subscribe"))
                    .map(v -> s)
                    .onFailure(e -> ws.close());
              });
    }

    private static Future<Void> expect(JsonObject response, Object result, String method) {
      return result.equals(response.getValue("result"))
          ? Future.succeededFuture()
          : Future.failedFuture(method + " answered " + response.encode());
    }

    private Future<JsonObject> call(String method, JsonObject arguments) {
      awaitedCallId = callId();
      awaited = Promise.promise();
      JsonObject request =
          new JsonObject()
              .put("method", method)
              .put("arguments", arguments)
              .put("call_id", awaitedCallId);
      ws.writeTextMessage(new JsonObject().put("request", request).putNull("response").encode());
      return awaited.future().timeout(30, TimeUnit.SECONDS);
    }

    private void fail(String why) {
      if (awaited != null) {
        awaited.tryFail(why);
      }
    }

    private void onText(String text) {
      long arrival = System.nanoTime();
      JsonObject message = new JsonObject(text);
      JsonObject response = message.getJsonObject("response");
      if (response != null) {
        if (awaited != null && response.getString("call_id", "").equals(awaitedCallId)) {
          awaited.tryComplete(response);
        }
        return;
      }
      JsonObject request = message.getJsonObject("request");
      if (request == null) {
        return;
      }
      String callId = request.getString("call_id");
      switch (request.getString("method", "")) {
        case "notify" -> {
          reply("\"None\"", "str", callId);
          if (listener != null) {
            listener.notified(this, request.getJsonObject("arguments", new JsonObject()), arrival);
          }
        }
        case "_ping_" -> reply("\"pong\"", "str", callId);
        default -> {} // the client's other methods are not called by scopesync
      }
    }

    private void reply(String result, String resultType, String callId) {
      ws.writeTextMessage(
          "{\"request\": null, \"response\": {\"result\": "
              + result
              + ", \"result_type\": \""
              + resultType
              + "\", \"call_id\": \""
              + callId
              + "\"}}");
    }

    private static String callId() {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      return String.format("%016x%016x", random.nextLong(), random.nextLong());
    }
  }
}
