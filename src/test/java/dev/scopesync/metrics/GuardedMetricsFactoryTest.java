package dev.scopesync.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.MultiMap;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import org.junit.jupiter.api.Test;

class GuardedMetricsFactoryTest {
  private static final SocketAddress CLIENT = SocketAddress.inetSocketAddress(40000, "127.0.0.1");
  private static final HttpRequest REQUEST =
      new HttpRequest() {
        @Override
        public int id() {
          return 1;
        }

        @Override
        public String uri() {
          return "/ready";
        }

        @Override
        public String absoluteURI() {
          return "http://127.0.0.1/ready";
        }

        @Override
        public HttpMethod method() {
          return HttpMethod.GET;
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
  private static final HttpResponse RESPONSE =
      new HttpResponse() {
        @Override
        public int statusCode() {
          return 200;
        }

        @Override
        public MultiMap headers() {
          return MultiMap.caseInsensitiveMultiMap();
        }
      };

  private final MeterRegistry registry = new SimpleMeterRegistry();

  private VertxMetrics metrics(boolean guarded) {
    MicrometerMetricsFactory micrometer = new MicrometerMetricsFactory(registry);
    VertxOptions options =
        new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true));
    return guarded
        ? new GuardedMetricsFactory(micrometer, registry).metrics(options)
        : micrometer.metrics(options);
  }

  @SuppressWarnings("unchecked")
  private HttpServerMetrics<Object, Object, Object> server(boolean guarded) {
    return (HttpServerMetrics<Object, Object, Object>)
        metrics(guarded)
            .createHttpServerMetrics(
                new HttpServerOptions(), SocketAddress.inetSocketAddress(7002, "127.0.0.1"));
  }

  @Test
  void aRequestOnAConnectionAcceptedBeforeTheMetricsWereAttachedIsServedUncounted() {
    // What Vert.x 5.0 does to a connection accepted between bind and metrics: no socket metric.
    assertThrows(
        NullPointerException.class,
        () -> server(false).requestBegin(null, REQUEST),
        "Micrometer's own metrics fail on it (the request was never answered)");

    HttpServerMetrics<Object, Object, Object> guarded = server(true);
    Object request = guarded.requestBegin(null, REQUEST);
    assertNull(request);
    guarded.requestEnd(request, REQUEST, 0);
    guarded.responseBegin(request, RESPONSE);
    guarded.responseEnd(request, RESPONSE, 10);
    guarded.requestRouted(request, "/ready");
    guarded.requestReset(request);
    guarded.bytesRead(null, CLIENT, 10);
    guarded.bytesWritten(null, CLIENT, 10);
    guarded.exceptionOccurred(null, CLIENT, new RuntimeException("reset"));
    assertNull(guarded.connected(null, request, null));
    guarded.disconnected(null);
    guarded.disconnected(null, CLIENT);
    assertNull(registry.find("vertx.http.server.requests").counter(), "not counted");
  }

  @Test
  void everyOtherConnectionIsMeasuredAsBefore() {
    HttpServerMetrics<Object, Object, Object> guarded = server(true);
    Object socket = guarded.connected(CLIENT, "127.0.0.1");
    assertNotNull(socket);
    Object request = guarded.requestBegin(socket, REQUEST);
    assertNotNull(request);
    guarded.requestEnd(request, REQUEST, 0);
    guarded.responseBegin(request, RESPONSE);
    guarded.responseEnd(request, RESPONSE, 10);
    guarded.disconnected(socket, CLIENT);

    assertEquals(1.0, registry.get("vertx.http.server.requests").counter().count());
    assertEquals(0.0, registry.get("vertx.http.server.active.connections").gauge().value());
  }

  @Test
  void theDelegatesOptionsAreKept() {
    GuardedMetricsFactory factory =
        new GuardedMetricsFactory(new MicrometerMetricsFactory(registry), registry);
    assertInstanceOf(MicrometerMetricsOptions.class, factory.newOptions());
    assertInstanceOf(
        MicrometerMetricsOptions.class, factory.newOptions(new MicrometerMetricsOptions()));
  }
}
