package dev.scopesync.http;

import dev.scopesync.bus.BundleQuery;
import dev.scopesync.bus.BundleReply;
import dev.scopesync.bus.Failures;
import dev.scopesync.bus.FetcherOrders;
import dev.scopesync.bus.PeerFetchers;
import dev.scopesync.metrics.ServerMetrics;
import dev.scopesync.serving.ServedBundles;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * Where the edge asks for a bundle it has no served answer for: the node's fetcher, or, on a
 * sharded node that does not hold the scope's source, straight the owner that answered the scope
 * last (SHARDING.md §3.4). The fetcher learns that owner when it forwards and forgets every one on
 * a view change or when it holds more sources ready ({@link ServedBundles#peerFor}), so the
 * shortcut skips two local messages and the fetcher's context and changes no answer.
 *
 * <p>When the owner does not answer (not ready, gone, too slow) every learnt owner is forgotten and
 * the fetcher is asked, which tries the candidates in order as before.
 */
final class OwnerShortcut {
  private final Vertx vertx;
  private final ServedBundles served;
  private final ServerMetrics metrics;
  private final long timeoutMillis;

  OwnerShortcut(Vertx vertx, ServedBundles served, ServerMetrics metrics, long timeoutMillis) {
    this.vertx = vertx;
    this.served = served;
    this.metrics = metrics;
    this.timeoutMillis = timeoutMillis;
  }

  /** The bundle, from the owner last seen answering the scope, else from the node's fetcher. */
  Future<BundleReply> bundle(BundleQuery query) {
    String owner = served.peerFor(query.scopeId());
    if (owner == null) {
      return FetcherOrders.of(vertx).bundle(query);
    }
    return PeerFetchers.at(vertx, owner, timeoutMillis)
        .bundle(query)
        .onSuccess(reply -> metrics.shardForward("ok"))
        .recover(
            e -> {
              if (Failures.statusOf(e) != Failures.UNAVAILABLE) {
                return Future.failedFuture(e);
              }
              metrics.shardForward("next");
              served.forgetPeers();
              return FetcherOrders.of(vertx).bundle(query);
            });
  }
}
