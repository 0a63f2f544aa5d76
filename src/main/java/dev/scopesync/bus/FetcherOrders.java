package dev.scopesync.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * The sending side of {@link FetcherApi}: what the scope verticle and the HTTP edge ask of
 * fetchers, as event-bus messages. Syncs and deletes go to every node's fetcher (or only this
 * node's, for what each node does on its own: boot, polling, reconcile); the rest to this node's.
 */
public final class FetcherOrders {
  private final Vertx vertx;

  private FetcherOrders(Vertx vertx) {
    this.vertx = vertx;
  }

  public static FetcherOrders of(Vertx vertx) {
    return new FetcherOrders(vertx);
  }

  public void syncEverywhere(SyncOrder order) {
    vertx.eventBus().publish(Addresses.FETCHER_SYNC, order.toJson());
  }

  /** Has this node's fetcher sync the order; completes when it is done. */
  public Future<Void> syncHere(SyncOrder order) {
    return vertx
        .eventBus()
        .request(Addresses.FETCHER_SYNC_LOCAL, order.toJson(), Delivery.localUntilDone())
        .mapEmpty();
  }

  /** Offers this node's fetcher a chunk of every scope to acquire from; completes when done. */
  public Future<Void> acquireHere(SyncOrder chunk) {
    return vertx
        .eventBus()
        .request(Addresses.FETCHER_ACQUIRE_LOCAL, chunk.toJson(), Delivery.localUntilDone())
        .mapEmpty();
  }

  public void deleteEverywhere(DeleteOrder order) {
    vertx.eventBus().publish(Addresses.FETCHER_DELETE, order.toJson());
  }

  public void deleteHere(DeleteOrder order) {
    vertx.eventBus().publish(Addresses.FETCHER_DELETE, order.toJson(), Delivery.local());
  }

  /** Has this node's fetcher purge the clones no scope uses; answers how many went. */
  public Future<Long> sweep() {
    return vertx
        .eventBus()
        .<JsonObject>request(Addresses.FETCHER_SWEEP, new JsonObject(), Delivery.localUntilDone())
        .map(reply -> reply.body().getLong("removed", 0L));
  }

  public Future<JsonObject> stats() {
    return vertx
        .eventBus()
        .<JsonObject>request(Addresses.FETCHER_STATS, new JsonObject(), Delivery.local())
        .map(reply -> reply.body());
  }

  public Future<BundleReply> bundle(BundleQuery query) {
    return vertx
        .eventBus()
        .<Buffer>request(Addresses.FETCHER_BUNDLE, query.toJson(), Delivery.local())
        .map(BundleReply::of);
  }
}
