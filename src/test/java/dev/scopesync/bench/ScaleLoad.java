package dev.scopesync.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * The load client of {@link ScaleBench}: N concurrent lanes, each its own Vert.x HttpClient with
 * one keep-alive connection (a single client with a pool of N left lanes waiting forever now and
 * then), one request in flight per lane, driven by callbacks. Every request has an idle timeout, so
 * no lane waits forever. The clients of a phase are closed at its end.
 */
final class ScaleLoad implements AutoCloseable {
  private static final long REQUEST_IDLE_TIMEOUT_MS = 120_000;
  private static final long SEQUENTIAL_TIMEOUT_MS = 15_000;

  /** One request: method, path, body (or null) and extra headers. */
  record Request(HttpMethod method, String path, Buffer body, Map<String, String> headers) {
    static Request of(HttpMethod method, String path) {
      return new Request(method, path, null, Map.of());
    }
  }

  /**
   * What a phase did: answers by status, connection failures, wall time and latency percentiles.
   */
  record Result(
      int lanes,
      long answered,
      long failures,
      double seconds,
      long endNanos,
      Map<Integer, Long> statuses,
      String firstProblem,
      double p50Millis,
      double p99Millis) {
    double perSecond() {
      return answered / seconds;
    }

    long withStatus(int status) {
      return statuses.getOrDefault(status, 0L);
    }

    /** "" when every request got {@code expected}; else a short account of the others. */
    String problems(int expected) {
      long other = answered - withStatus(expected);
      if (other == 0 && failures == 0) {
        return "";
      }
      return String.format(
          "%,d answered other than %d %s, %,d failed; first: %s",
          other, expected, statuses, failures, firstProblem);
    }
  }

  private final Vertx vertx = Vertx.vertx();

  /**
   * Requests {@code from} … {@code to - 1} (request i = {@code request.apply(i)}), spread over
   * {@code lanes} lanes.
   */
  Result run(
      int port,
      int lanes,
      int from,
      int to,
      IntFunction<Request> request,
      int expected,
      Duration timeout)
      throws Exception {
    AtomicInteger next = new AtomicInteger(from);
    return drive(
        port,
        lanes,
        () -> {
          int i = next.getAndIncrement();
          return i < to ? request.apply(i) : null;
        },
        expected,
        timeout);
  }

  /**
   * The same request over and over from {@code lanes} lanes for {@code seconds} (after a warm-up of
   * {@code warmUp} s).
   */
  Result runFor(int port, int lanes, Request request, int expected, double warmUp, double seconds)
      throws Exception {
    if (warmUp > 0) {
      long warmEnd = System.nanoTime() + (long) (warmUp * 1e9);
      drive(
          port,
          lanes,
          () -> System.nanoTime() < warmEnd ? request : null,
          expected,
          Duration.ofSeconds((long) warmUp + 120));
    }
    long end = System.nanoTime() + (long) (seconds * 1e9);
    return drive(
        port,
        lanes,
        () -> System.nanoTime() < end ? request : null,
        expected,
        Duration.ofSeconds((long) seconds + 120));
  }

  /**
   * Requests one after the other on one connection, all on one event-loop context (sent from a
   * thread outside Vert.x, a response's body now and then never completed); the round-trip time of
   * each, in ms.
   */
  double[] sequential(int port, List<Request> requests, int expected, long pauseMillis)
      throws Exception {
    List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
    long origin = System.nanoTime();
    HttpClient client =
        vertx
            .httpClientBuilder()
            .with(
                new HttpClientOptions()
                    .setDefaultHost("127.0.0.1")
                    .setDefaultPort(port)
                    .setKeepAlive(true)
                    .setTcpNoDelay(true))
            .with(new PoolOptions().setHttp1MaxSize(1))
            .withConnectHandler(
                conn -> {
                  events.add(
                      String.format(
                          "%.3f s: connected %s",
                          (System.nanoTime() - origin) / 1e9, conn.localAddress()));
                  conn.closeHandler(
                      v ->
                          events.add(
                              String.format(
                                  "%.3f s: closed %s",
                                  (System.nanoTime() - origin) / 1e9, conn.localAddress())));
                })
            .build();
    int n = requests.size();
    double[] ms = new double[n];
    AtomicInteger at = new AtomicInteger();
    Promise<Void> done = Promise.promise();
    Runnable[] step = new Runnable[1];
    step[0] =
        () -> {
          int i = at.get();
          if (i == n) {
            done.tryComplete();
            return;
          }
          Request r = requests.get(i);
          events.add(
              String.format("%.3f s: request %d", (System.nanoTime() - origin) / 1e9, i + 1));
          long t0 = System.nanoTime();
          send(client, r)
              .onComplete(
                  ar -> {
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                    if (ar.failed() || ar.result() != expected) {
                      done.tryFail(
                          r.method()
                              + " "
                              + r.path()
                              + ": request "
                              + (i + 1)
                              + " "
                              + (ar.failed()
                                  ? "failed: " + ar.cause()
                                  : "answered " + ar.result()));
                      return;
                    }
                    events.add(
                        String.format(
                            "%.3f s: answered %d", (System.nanoTime() - origin) / 1e9, i + 1));
                    at.incrementAndGet();
                    if (pauseMillis > 0) {
                      vertx.setTimer(pauseMillis, id -> step[0].run());
                    } else {
                      step[0].run();
                    }
                  });
        };
    vertx.getOrCreateContext().runOnContext(v -> step[0].run());
    try {
      int seen = -1;
      long lastProgress = System.nanoTime();
      while (true) {
        try {
          done.future().await(1, TimeUnit.SECONDS);
          return ms;
        } catch (java.util.concurrent.TimeoutException notYet) {
          int now = at.get();
          if (now != seen) {
            seen = now;
            lastProgress = System.nanoTime();
          } else if (System.nanoTime() - lastProgress
              > TimeUnit.MILLISECONDS.toNanos(SEQUENTIAL_TIMEOUT_MS)) {
            throw new java.util.concurrent.TimeoutException(
                "request "
                    + (now + 1)
                    + " of "
                    + n
                    + " got no answer within "
                    + SEQUENTIAL_TIMEOUT_MS
                    + " ms; client events: "
                    + events.subList(Math.max(0, events.size() - 8), events.size()));
          }
        }
      }
    } finally {
      client.close().await(30, TimeUnit.SECONDS);
    }
  }

  /** Sends one request (from an event-loop context) and returns its body as text, for checks. */
  String body(int port, Request r) throws Exception {
    HttpClient client = client(port);
    try {
      Promise<Buffer> body = Promise.promise();
      vertx
          .getOrCreateContext()
          .runOnContext(
              v ->
                  client
                      .request(options(r))
                      .compose(req -> r.body() == null ? req.send() : req.send(r.body()))
                      .compose(resp -> resp.body())
                      .onComplete(body));
      return body.future()
          .await(REQUEST_IDLE_TIMEOUT_MS + 10_000, TimeUnit.MILLISECONDS)
          .toString();
    } finally {
      client.close().await(30, TimeUnit.SECONDS);
    }
  }

  private interface Source {
    /** The next request, or null when the lane is done. Called from any lane's thread. */
    Request next();
  }

  private Result drive(int port, int lanes, Source source, int expected, Duration timeout)
      throws Exception {
    List<HttpClient> clients = new ArrayList<>();
    for (int i = 0; i < lanes; i++) {
      clients.add(client(port));
    }
    Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
    AtomicLong failures = new AtomicLong();
    AtomicReference<String> firstProblem = new AtomicReference<>();
    List<Lane> running = new ArrayList<>();
    long t0 = System.nanoTime();
    for (HttpClient client : clients) {
      Lane lane = new Lane(client, source, expected, statuses, failures, firstProblem);
      running.add(lane);
      vertx.runOnContext(v -> lane.next());
    }
    try {
      Future.all(running.stream().map(l -> l.done.future()).toList())
          .await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(
          "lanes did not finish within "
              + timeout
              + "; answered "
              + statuses
              + ", lanes done "
              + running.stream().map(l -> l.done.future().isComplete()).toList(),
          e);
    }
    long end = System.nanoTime();
    double seconds = (end - t0) / 1e9;
    Future.all(clients.stream().map(HttpClient::close).toList()).await(30, TimeUnit.SECONDS);
    int n = running.stream().mapToInt(l -> l.count).sum();
    long[] all = new long[n];
    int at = 0;
    for (Lane lane : running) {
      System.arraycopy(lane.latencies, 0, all, at, lane.count);
      at += lane.count;
    }
    Arrays.sort(all);
    Map<Integer, Long> byStatus = new TreeMap<>();
    statuses.forEach((k, v) -> byStatus.put(k, v.get()));
    long answered = byStatus.values().stream().mapToLong(Long::longValue).sum();
    return new Result(
        lanes,
        answered,
        failures.get(),
        seconds,
        end,
        byStatus,
        firstProblem.get(),
        percentile(all, 0.50),
        percentile(all, 0.99));
  }

  private static double percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[Math.max(0, Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * p) - 1))]
        / 1e6;
  }

  /** One lane: one request in flight; each answer sends the next. */
  private static final class Lane {
    final Promise<Void> done = Promise.promise();
    final HttpClient client;
    final Source source;
    final int expected;
    final Map<Integer, AtomicLong> statuses;
    final AtomicLong failures;
    final AtomicReference<String> firstProblem;
    long[] latencies = new long[1024];
    int count;

    Lane(
        HttpClient client,
        Source source,
        int expected,
        Map<Integer, AtomicLong> statuses,
        AtomicLong failures,
        AtomicReference<String> firstProblem) {
      this.client = client;
      this.source = source;
      this.expected = expected;
      this.statuses = statuses;
      this.failures = failures;
      this.firstProblem = firstProblem;
    }

    void next() {
      Request r = source.next();
      if (r == null) {
        done.tryComplete();
        return;
      }
      long t0 = System.nanoTime();
      send(client, r)
          .onComplete(
              ar -> {
                long dt = System.nanoTime() - t0;
                if (ar.succeeded()) {
                  statuses.computeIfAbsent(ar.result(), k -> new AtomicLong()).incrementAndGet();
                  if (ar.result() != expected) {
                    firstProblem.compareAndSet(
                        null, r.method() + " " + r.path() + " → " + ar.result());
                  }
                  if (count == latencies.length) {
                    latencies = Arrays.copyOf(latencies, count * 2);
                  }
                  latencies[count++] = dt;
                } else {
                  failures.incrementAndGet();
                  firstProblem.compareAndSet(
                      null, r.method() + " " + r.path() + " → " + ar.cause());
                }
                next();
              });
    }
  }

  private static Future<Integer> send(HttpClient client, Request r) {
    return client
        .request(options(r))
        .compose(req -> r.body() == null ? req.send() : req.send(r.body()))
        .compose(resp -> resp.body().map(body -> resp.statusCode()));
  }

  private static RequestOptions options(Request r) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(r.method())
            .setURI(r.path())
            .setIdleTimeout(REQUEST_IDLE_TIMEOUT_MS)
            .setConnectTimeout(10_000);
    if (r.body() != null) {
      options.putHeader("Content-Type", "application/json");
    }
    r.headers().forEach(options::putHeader);
    return options;
  }

  private HttpClient client(int port) {
    return vertx.createHttpClient(
        new HttpClientOptions()
            .setDefaultHost("127.0.0.1")
            .setDefaultPort(port)
            .setKeepAlive(true)
            .setTcpNoDelay(true),
        new PoolOptions().setHttp1MaxSize(1));
  }

  @Override
  public void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }
}
