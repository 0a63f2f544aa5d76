package dev.scopesync.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What the fetcher asks the scope verticle (DESIGN §1): the scope as stored now, and whether a
 * source is still used. The scope verticle implements it and {@link #bind binds} it to the bus; the
 * fetcher calls {@link #onBus}.
 */
public interface ScopeQueries {
  /**
   * The scope as stored now, or null when there is none. For a bundle ({@code serving}) this node's
   * scope verticle answers and opens the scope's slot in the node's served bundles.
   */
  Future<ScopeAnswer> scope(String scopeId, boolean serving);

  /** Whether any stored scope uses the source (asked before a purge). */
  Future<Boolean> sourceInUse(String sourceId);

  /**
   * Sends every scope to this node's fetcher in chunks ({@link Addresses#FETCHER_ACQUIRE_LOCAL}),
   * for it to acquire the sources a new view gave it; completes when every chunk is done.
   */
  Future<Void> offerScopes();

  /** The queries as event-bus requests. */
  static ScopeQueries onBus(Vertx vertx) {
    return new ScopeQueries() {
      @Override
      public Future<ScopeAnswer> scope(String scopeId, boolean serving) {
        // A bundle asks this node: the slot opened is in this node's served bundles.
        return vertx
            .eventBus()
            .<JsonObject>request(
                Addresses.FETCHER_SCOPE,
                new JsonObject().put("scope_id", scopeId).put("serving", serving),
                serving ? Delivery.local() : new DeliveryOptions())
            .map(reply -> ScopeAnswer.fromJson(reply.body()))
            .recover(
                e ->
                    Failures.statusOf(e) == Failures.NOT_FOUND
                        ? Future.succeededFuture(null)
                        : Future.failedFuture(e));
      }

      @Override
      public Future<Void> offerScopes() {
        return vertx
            .eventBus()
            .request(Addresses.FETCHER_OFFER_SCOPES, new JsonObject(), Delivery.localUntilDone())
            .mapEmpty();
      }

      @Override
      public Future<Boolean> sourceInUse(String sourceId) {
        return vertx
            .eventBus()
            .<JsonObject>request(
                Addresses.FETCHER_SOURCE_IN_USE, new JsonObject().put("source_id", sourceId))
            .map(reply -> reply.body().getBoolean("in_use"));
      }
    };
  }

  /** Registers {@code queries} on the bus; the caller owns (unregisters) the consumers. */
  static List<MessageConsumer<JsonObject>> bind(Vertx vertx, ScopeQueries queries) {
    return List.of(
        vertx
            .eventBus()
            .<JsonObject>consumer(
                Addresses.FETCHER_SCOPE,
                message ->
                    Failures.handled(
                            message,
                            body ->
                                queries
                                    .scope(
                                        body.getString("scope_id"),
                                        body.getBoolean("serving", false))
                                    .compose(
                                        answer ->
                                            answer != null
                                                ? Future.succeededFuture(answer.toJson())
                                                : Future.failedFuture(
                                                    Failures.of(
                                                        Failures.NOT_FOUND,
                                                        "No such scope: "
                                                            + body.getString("scope_id")))))
                        .onSuccess(message::reply)
                        .onFailure(e -> Failures.reply(message, e))),
        vertx
            .eventBus()
            .<JsonObject>consumer(
                Addresses.FETCHER_SOURCE_IN_USE,
                message ->
                    Failures.handled(
                            message, body -> queries.sourceInUse(body.getString("source_id")))
                        .onSuccess(inUse -> message.reply(new JsonObject().put("in_use", inUse)))
                        .onFailure(e -> Failures.reply(message, e))),
        vertx
            .eventBus()
            .<JsonObject>localConsumer(
                Addresses.FETCHER_OFFER_SCOPES,
                message ->
                    Failures.handled(message, body -> queries.offerScopes())
                        .onSuccess(done -> message.reply(new JsonObject()))
                        .onFailure(e -> Failures.reply(message, e))));
  }
}
