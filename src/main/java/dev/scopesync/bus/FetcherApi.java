package dev.scopesync.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a node's fetcher offers (DESIGN §1, §7). The fetcher implements it and {@link #bind binds}
 * it; the scope verticle and the HTTP edge reach it through {@link FetcherOrders}. Each message is
 * decoded here, by its record, and nowhere else.
 */
public interface FetcherApi {
  /**
   * Syncs the scopes of an order; completes when every one this order started has finished and,
   * with {@code awaitJoined}, every one that joined an earlier order's waiting sync.
   */
  Future<Void> sync(SyncOrder order, boolean awaitJoined);

  /** A scope left a source: drop its ref, purge the source if nothing else uses it. */
  void delete(DeleteOrder order);

  /** Purges the clone directories no scope uses; answers how many went. */
  Future<Long> sweep();

  /** The fetcher's counts (DESIGN §10's fetcher fields). */
  Future<JsonObject> stats();

  /** A bundle, from the cache or built (or, sharded, from an owner). */
  Future<BundleReply> bundle(BundleQuery query);

  /**
   * A chunk of every scope, offered after a view change: the fetcher acquires the sources of it
   * that it now owns and does not hold (sharded clusters); completes when they are acquired.
   */
  Future<Void> acquire(SyncOrder chunk);

  /** Registers {@code fetcher} on the bus; the caller owns (unregisters) the consumers. */
  static List<MessageConsumer<?>> bind(Vertx vertx, FetcherApi fetcher) {
    Logger log = LoggerFactory.getLogger(FetcherApi.class);
    BundleBytesCodec.registerOn(vertx.eventBus());
    return List.of(
        vertx
            .eventBus()
            .<Object>consumer(
                Addresses.FETCHER_SYNC,
                m -> {
                  SyncOrder order = decode(m.body(), log);
                  if (order != null) {
                    fetcher.sync(order, false);
                  }
                }),
        vertx
            .eventBus()
            .<Object>localConsumer(
                Addresses.FETCHER_SYNC_LOCAL,
                m -> {
                  SyncOrder order = decode(m.body(), log);
                  (order == null ? Future.<Void>succeededFuture() : fetcher.sync(order, true))
                      .onComplete(done -> m.reply(new JsonObject()));
                }),
        vertx
            .eventBus()
            .<Object>localConsumer(
                Addresses.FETCHER_ACQUIRE_LOCAL,
                m -> {
                  SyncOrder order = decode(m.body(), log);
                  (order == null ? Future.<Void>succeededFuture() : fetcher.acquire(order))
                      .onComplete(done -> m.reply(new JsonObject()));
                }),
        vertx
            .eventBus()
            .<Object>consumer(
                Addresses.FETCHER_DELETE,
                m -> {
                  DeleteOrder order =
                      m.body() instanceof JsonObject json ? DeleteOrder.fromJson(json) : null;
                  if (order == null) {
                    log.warn("ignoring a delete message without a valid scope_id and source_id");
                  } else {
                    fetcher.delete(order);
                  }
                }),
        vertx
            .eventBus()
            .<JsonObject>localConsumer(
                Addresses.FETCHER_SWEEP,
                m ->
                    fetcher
                        .sweep()
                        .onSuccess(removed -> m.reply(new JsonObject().put("removed", removed)))
                        .onFailure(e -> Failures.reply(m, e))),
        vertx
            .eventBus()
            .<JsonObject>localConsumer(
                Addresses.FETCHER_STATS,
                m -> fetcher.stats().onSuccess(m::reply).onFailure(e -> Failures.reply(m, e))),
        // Bundles are answered by the node that was asked: every node has its own clones.
        vertx
            .eventBus()
            .<JsonObject>localConsumer(
                Addresses.FETCHER_BUNDLE,
                (Message<JsonObject> m) ->
                    Failures.handled(m, body -> fetcher.bundle(BundleQuery.fromJson(body)))
                        .onSuccess(reply -> reply.replyTo(m))
                        .onFailure(e -> Failures.reply(m, e))));
  }

  private static SyncOrder decode(Object body, Logger log) {
    SyncOrder.Decoded decoded = body instanceof JsonObject json ? SyncOrder.fromJson(json) : null;
    if (decoded == null) {
      log.warn("ignoring a sync message without scopes");
      return null;
    }
    if (decoded.dropped() > 0) {
      log.warn("ignoring {} sync items without a valid scope_id and source_id", decoded.dropped());
    }
    return decoded.order();
  }
}
