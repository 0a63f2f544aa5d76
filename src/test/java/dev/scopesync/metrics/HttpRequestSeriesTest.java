package dev.scopesync.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.MultiMap;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Our request series against Vert.x's own: the same calls to both leave the same meters (names,
 * tags, descriptions) with the same counts, so {@code /metrics} reads as before.
 */
class HttpRequestSeriesTest {
  private static final SocketAddress CLIENT = SocketAddress.inetSocketAddress(40000, "127.0.0.1");

  private static HttpRequest request(HttpMethod method, String uri) {
    return new HttpRequest() {
      @Override
      public int id() {
        return 1;
      }

      @Override
      public String uri() {
        return uri;
      }

      @Override
      public String absoluteURI() {
        return "http://127.0.0.1" + uri;
      }

      @Override
      public HttpMethod method() {
        return method;
      }

      @Override
      public MultiMap headers() {
        return MultiMap.caseInsensitiveMultiMap();
      }

      @Override
      public SocketAddress remoteAddress() {
        return CLIENT;
      }
    };
  }

  private static HttpResponse response(int code) {
    return new HttpResponse() {
      @Override
      public int statusCode() {
        return code;
      }

      @Override
      public MultiMap headers() {
        return MultiMap.caseInsensitiveMultiMap();
      }
    };
  }

  @SuppressWarnings("unchecked")
  private static HttpServerMetrics<Object, Object, Object> server(
      MeterRegistry registry, boolean ours) {
    MicrometerMetricsFactory micrometer = new MicrometerMetricsFactory(registry);
    VertxOptions options =
        new VertxOptions()
            .setMetricsOptions(
                new MicrometerMetricsOptions()
                    .setEnabled(true)
                    // Micrometer keeps one registry per name for the JVM: each of these its own.
                    .setRegistryName(java.util.UUID.randomUUID().toString())
                    .setLabels(java.util.EnumSet.copyOf(ServerMetrics.VERTX_LABELS)));
    var metrics =
        ours
            ? new GuardedMetricsFactory(micrometer, registry).metrics(options)
            : micrometer.metrics(options);
    return (HttpServerMetrics<Object, Object, Object>)
        metrics.createHttpServerMetrics(
            new HttpServerOptions(), SocketAddress.inetSocketAddress(7002, "127.0.0.1"));
  }

  /**
   * A few exchanges of every kind: routed once, twice, not at all; a reset; one still in flight.
   */
  private static void drive(HttpServerMetrics<Object, Object, Object> metrics) {
    Object socket = metrics.connected(CLIENT, "127.0.0.1");
    for (int i = 0; i < 3; i++) {
      exchange(
          metrics,
          socket,
          HttpMethod.GET,
          "/scopes/a/policy",
          i == 2 ? 304 : 200,
          54_000,
          "/scopes/:scopeId/policy");
    }
    exchange(metrics, socket, HttpMethod.PUT, "/scopes", 201, 0, "/scopes");
    exchange(metrics, socket, HttpMethod.GET, "/nothing", 404, 20, null);
    Object twice = metrics.requestBegin(socket, request(HttpMethod.GET, "/x"));
    metrics.requestRouted(twice, "/a");
    metrics.requestRouted(twice, "/b");
    metrics.requestEnd(twice, request(HttpMethod.GET, "/x"), 0);
    metrics.responseEnd(twice, response(200), 5);
    Object reset = metrics.requestBegin(socket, request(HttpMethod.POST, "/webhook"));
    metrics.requestReset(reset);
    metrics.requestBegin(socket, request(HttpMethod.GET, "/ws")); // still in flight
  }

  private static void exchange(
      HttpServerMetrics<Object, Object, Object> metrics,
      Object socket,
      HttpMethod method,
      String uri,
      int code,
      long bytes,
      String route) {
    Object request = metrics.requestBegin(socket, request(method, uri));
    if (route != null) {
      metrics.requestRouted(request, route);
    }
    metrics.requestEnd(request, request(method, uri), 7);
    metrics.responseBegin(request, response(code));
    metrics.responseEnd(request, response(code), bytes);
  }

  /** Every request-level meter as "name{tags} description": its count or value. */
  private static Map<String, Double> requestMeters(MeterRegistry registry) {
    Map<String, Double> meters = new TreeMap<>();
    for (Meter meter : registry.getMeters()) {
      String name = meter.getId().getName();
      if (!name.startsWith("vertx.http.server.")
          || name.contains("connections")
          || name.startsWith("vertx.http.server.bytes")
          || name.contains("errors")) {
        continue;
      }
      String key = name + meter.getId().getTags() + " " + meter.getId().getDescription();
      double value;
      if (meter instanceof Counter c) {
        value = c.count();
      } else if (meter instanceof Timer t) {
        value = t.count();
      } else if (meter instanceof DistributionSummary d) {
        value = d.count() * 1e9 + d.totalAmount();
      } else if (meter instanceof Gauge g) {
        value = g.value();
      } else {
        value = Double.NaN;
      }
      meters.put(key + " (" + meter.getId().getType() + ")", value);
    }
    return meters;
  }

  @Test
  void theSameCallsLeaveTheSameSeriesAsVertxOwn() {
    MeterRegistry theirs = new SimpleMeterRegistry();
    MeterRegistry ours = new SimpleMeterRegistry();
    drive(server(theirs, false));
    drive(server(ours, true));
    Map<String, Double> expected = requestMeters(theirs);
    assertTrue(
        expected.size() >= 10,
        expected + " of " + theirs.getMeters().stream().map(m -> m.getId().getName()).toList());
    Map<String, Double> actual = requestMeters(ours);
    StringBuilder diff = new StringBuilder();
    for (String key : new java.util.TreeSet<>(expected.keySet())) {
      if (!expected.get(key).equals(actual.get(key))) {
        diff.append("\n  Vert.x: ")
            .append(key)
            .append(" = ")
            .append(expected.get(key))
            .append(", ours: ")
            .append(actual.get(key));
      }
    }
    for (String key : actual.keySet()) {
      if (!expected.containsKey(key)) {
        diff.append("\n  only ours: ").append(key).append(" = ").append(actual.get(key));
      }
    }
    assertEquals("", diff.toString());
  }
}
