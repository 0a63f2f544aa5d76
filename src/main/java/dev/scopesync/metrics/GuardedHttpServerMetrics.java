package dev.scopesync.metrics;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;

/**
 * The HTTP server's metrics: the connection series are Vert.x's (the delegate), the request series
 * ours ({@link HttpRequestSeries}: the same series, without a registry lookup per request). What
 * Vert.x reports without the metric it belongs to is passed over: a connection accepted before the
 * server's metrics were attached has no connection metric, so its requests have none, and its
 * WebSockets none (see {@link GuardedMetricsFactory}). Such a connection is served and not counted.
 */
final class GuardedHttpServerMetrics implements HttpServerMetrics<Object, Object, Object> {
  private final HttpServerMetrics<Object, Object, Object> delegate;
  private final HttpRequestSeries requests;

  @SuppressWarnings("unchecked")
  GuardedHttpServerMetrics(HttpServerMetrics<?, ?, ?> delegate, HttpRequestSeries requests) {
    this.delegate = (HttpServerMetrics<Object, Object, Object>) delegate;
    this.requests = requests;
  }

  @Override
  public Object connected(SocketAddress remoteAddress, String remoteName) {
    return delegate.connected(remoteAddress, remoteName);
  }

  @Override
  public void disconnected(Object socketMetric, SocketAddress remoteAddress) {
    if (socketMetric != null) {
      delegate.disconnected(socketMetric, remoteAddress);
    }
  }

  @Override
  public void bytesRead(Object socketMetric, SocketAddress remoteAddress, long numberOfBytes) {
    if (socketMetric != null) {
      delegate.bytesRead(socketMetric, remoteAddress, numberOfBytes);
    }
  }

  @Override
  public void bytesWritten(Object socketMetric, SocketAddress remoteAddress, long numberOfBytes) {
    if (socketMetric != null) {
      delegate.bytesWritten(socketMetric, remoteAddress, numberOfBytes);
    }
  }

  @Override
  public void exceptionOccurred(Object socketMetric, SocketAddress remoteAddress, Throwable t) {
    if (socketMetric != null) {
      delegate.exceptionOccurred(socketMetric, remoteAddress, t);
    }
  }

  @Override
  public Object requestBegin(Object socketMetric, HttpRequest request) {
    return socketMetric == null ? null : requests.begin(request.method());
  }

  @Override
  public void requestEnd(Object requestMetric, HttpRequest request, long bytesRead) {
    if (requestMetric != null) {
      requests.requestEnded((HttpRequestSeries.Request) requestMetric, bytesRead);
    }
  }

  @Override
  public void requestReset(Object requestMetric) {
    if (requestMetric != null) {
      requests.reset((HttpRequestSeries.Request) requestMetric);
    }
  }

  @Override
  public Object responsePushed(
      Object socketMetric, HttpMethod method, String uri, HttpResponse response) {
    return socketMetric == null
        ? null
        : requests.begin(method); // HTTP/2 push: not offered (h2c is off)
  }

  @Override
  public void responseEnd(Object requestMetric, HttpResponse response, long bytesWritten) {
    if (requestMetric != null) {
      requests.responseEnded(
          (HttpRequestSeries.Request) requestMetric, response.statusCode(), bytesWritten);
    }
  }

  @Override
  public Object connected(
      Object socketMetric, Object requestMetric, ServerWebSocket serverWebSocket) {
    // Vert.x's WebSocket gauge reads the connection's metric only (the request's is ours).
    return socketMetric == null || requestMetric == null
        ? null
        : delegate.connected(socketMetric, null, serverWebSocket);
  }

  @Override
  public void disconnected(Object webSocketMetric) {
    if (webSocketMetric != null) {
      delegate.disconnected(webSocketMetric);
    }
  }

  @Override
  public void requestRouted(Object requestMetric, String route) {
    if (requestMetric != null) {
      requests.routed((HttpRequestSeries.Request) requestMetric, route);
    }
  }

  @Override
  public void close() {
    delegate.close();
  }
}
