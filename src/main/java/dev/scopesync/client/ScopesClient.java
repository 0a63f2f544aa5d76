package dev.scopesync.client;

import dev.scopesync.bus.Delivery;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * scopesync's event-bus API for Vert.x applications in the same process or cluster (DESIGN §7).
 * Every method answers a {@link Future}; a failure is a {@link
 * io.vertx.core.eventbus.ReplyException} whose {@code failureCode()} is the HTTP status (404, 422,
 * 503…) and whose message is the detail.
 *
 * <pre>{@code
 * ScopesClient scopes = ScopesClient.create(vertx);
 * scopes.put(scopeJson, false)
 *     .compose(v -> scopes.get("tenant-a"))
 *     .onSuccess(scope -> ...);
 * scopes.onPolicyUpdated("tenant-a", update -> reload(update.getString("new_policy_hash")));
 * }</pre>
 */
public interface ScopesClient {
  static ScopesClient create(Vertx vertx) {
    return new EventBusScopesClient(vertx, new DeliveryOptions());
  }

  /**
   * A client answered only by the scopesync node in this process, never by a peer: for an
   * application deployed beside a node that wants that node's {@link #stats()}.
   */
  static ScopesClient local(Vertx vertx) {
    return new EventBusScopesClient(vertx, Delivery.local());
  }

  /** Creates or replaces a scope (OPAL's JSON); it is synced in the background. */
  Future<Void> put(JsonObject scope, boolean forceFetch);

  /** The scope without its secrets. */
  Future<JsonObject> get(String scopeId);

  /**
   * The scope's last sync outcome on the node that answers: {@code {"scope_id", "status"}}, the
   * status {@code {"outcome": "ok", "commit", "at"}} or {@code {"outcome": "error", "kind",
   * "needs_person", "error", "at"}}, or null before the first sync; 404 without the scope.
   */
  Future<JsonObject> status(String scopeId);

  /** Every scope without its secrets, in id order (asked for a page at a time). */
  Future<List<JsonObject>> list();

  /**
   * One page of scopes in id order: at most {@code limit} (1 to 10,000) after the id {@code after}
   * (null: from the first). A limit out of range fails with 422.
   */
  Future<ScopePage> list(int limit, String after);

  /** Deletes a scope; succeeds also when there was none. */
  Future<Void> delete(String scopeId);

  /** Syncs one scope (a null hint forces a fetch). */
  Future<Void> refresh(String scopeId, String hintedHash);

  /** Syncs every scope. */
  Future<Void> refreshAll();

  /** The scope's OPAL bundle, a diff from {@code baseHash} when it is given and known. */
  Future<JsonObject> policy(String scopeId, String baseHash);

  /** The answering node's resource counts. */
  Future<JsonObject> stats();

  /**
   * Every policy change of one scope, or of all scopes when {@code scopeId} is null. Unregister to
   * stop.
   */
  MessageConsumer<JsonObject> onPolicyUpdated(String scopeId, Handler<JsonObject> handler);

  /** Data updates posted for a scope. */
  MessageConsumer<JsonObject> onDataUpdated(String scopeId, Handler<JsonObject> handler);

  /** Every deleted scope ({@code {"scope_id": …}}). */
  MessageConsumer<JsonObject> onScopeDeleted(Handler<JsonObject> handler);
}
