package dev.scopesync.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.http.HttpMethod;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The per-request series of Vert.x's Micrometer HTTP server metrics, under their names, labels and
 * descriptions ({@code vertx_http_server_requests_total}, {@code _response_time_seconds}, {@code
 * _response_bytes}, {@code _request_bytes}, {@code _active_requests}, {@code
 * _request_resets_total}; labels method, code and route), with each meter looked up once and kept:
 * Vert.x's own implementation builds tags and asks the registry for every meter on every request,
 * about a kilobyte of garbage and a registry lookup per cached bundle (DESIGN §18). The connection
 * series (connections, bytes, errors, WebSockets) stay Vert.x's.
 *
 * <p>Thread-safe; called on the event loops.
 */
final class HttpRequestSeries {
  private final MeterRegistry registry;
  private final ConcurrentHashMap<HttpMethod, MethodSeries> byMethod = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<ResponseKey, ResponseSeries> byResponse =
      new ConcurrentHashMap<>();

  /** One request in flight: its method's series, when it began, its routes, what has ended. */
  static final class Request {
    private final MethodSeries method;
    private final long startNanos;
    private String route;
    private boolean requestEnded;
    private boolean responseEnded;
    private boolean reset;

    /** Taken out of the active requests (once: by its reset, or when both halves ended). */
    private boolean left;

    private Request(MethodSeries method, long startNanos) {
      this.method = method;
      this.startNanos = startNanos;
    }
  }

  private record ResponseKey(HttpMethod method, String route, int code) {}

  /**
   * One method's series. As in Vert.x's implementation, the request-size summary and the reset
   * counter appear with their first value, not with the first request.
   */
  private final class MethodSeries {
    private final HttpMethod method;
    private final Tags tags;
    private final AtomicLong active = new AtomicLong();
    private volatile DistributionSummary requestBytes;
    private volatile Counter resets;

    MethodSeries(HttpMethod method) {
      this.method = method;
      this.tags = Tags.of("method", method.name());
      Gauge.builder("vertx.http.server.active.requests", active, AtomicLong::get)
          .description("Number of requests being processed")
          .tags(tags)
          .register(registry);
    }

    HttpMethod method() {
      return method;
    }

    AtomicLong active() {
      return active;
    }

    DistributionSummary requestBytes() {
      DistributionSummary summary = requestBytes;
      if (summary == null) {
        summary =
            DistributionSummary.builder("vertx.http.server.request.bytes")
                .description("Size of requests in bytes")
                .tags(tags)
                .register(registry); // the registry answers the same meter to a racing caller
        requestBytes = summary;
      }
      return summary;
    }

    Counter resets() {
      Counter counter = resets;
      if (counter == null) {
        counter =
            Counter.builder("vertx.http.server.request.resets")
                .description("Number of request resets")
                .tags(tags)
                .register(registry);
        resets = counter;
      }
      return counter;
    }
  }

  private record ResponseSeries(Counter requests, Timer time, DistributionSummary bytes) {}

  HttpRequestSeries(MeterRegistry registry) {
    this.registry = registry;
  }

  Request begin(HttpMethod method) {
    MethodSeries series = byMethod.computeIfAbsent(method, MethodSeries::new);
    series.active().incrementAndGet();
    return new Request(series, System.nanoTime());
  }

  void routed(Request request, String route) {
    if (route != null) {
      request.route = request.route == null ? route : request.route + ">" + route;
    }
  }

  void requestEnded(Request request, long bytesRead) {
    request.method.requestBytes().record(bytesRead);
    request.requestEnded = true;
    leaveIfDone(request);
  }

  void reset(Request request) {
    if (request.reset) {
      return;
    }
    request.reset = true;
    request.method.resets().increment();
    leave(request);
  }

  void responseEnded(Request request, int code, long bytesWritten) {
    String route = request.route == null ? "" : request.route;
    ResponseSeries series = byResponse.get(new ResponseKey(request.method.method(), route, code));
    if (series == null) {
      series =
          byResponse.computeIfAbsent(
              new ResponseKey(request.method.method(), route, code), this::responseSeries);
    }
    series.requests().increment();
    series.time().record(System.nanoTime() - request.startNanos, TimeUnit.NANOSECONDS);
    series.bytes().record(bytesWritten);
    request.responseEnded = true;
    leaveIfDone(request);
  }

  private void leaveIfDone(Request request) {
    if (request.requestEnded && request.responseEnded) {
      leave(request);
    }
  }

  private static void leave(Request request) {
    if (!request.left) {
      request.left = true;
      request.method.active().decrementAndGet();
    }
  }

  private ResponseSeries responseSeries(ResponseKey key) {
    Tags tags =
        Tags.of(
            "code",
            String.valueOf(key.code()),
            "method",
            key.method().name(),
            "route",
            key.route());
    return new ResponseSeries(
        Counter.builder("vertx.http.server.requests")
            .description("Number of processed requests")
            .tags(tags)
            .register(registry),
        Timer.builder("vertx.http.server.response.time")
            .description("Request processing time")
            .tags(tags)
            .register(registry),
        DistributionSummary.builder("vertx.http.server.response.bytes")
            .description("Size of responses in bytes")
            .tags(tags)
            .register(registry));
  }
}
