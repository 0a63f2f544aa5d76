package dev.scopesync.client;

import dev.scopesync.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link ScopesClient} over the (clustered) event bus, using the addresses of {@link Addresses}.
 */
final class EventBusScopesClient implements ScopesClient {
  private final Vertx vertx;
  private final DeliveryOptions delivery;

  EventBusScopesClient(Vertx vertx, DeliveryOptions delivery) {
    this.vertx = vertx;
    this.delivery = delivery;
  }

  private Future<JsonObject> ask(String address, JsonObject request) {
    return vertx.eventBus().<JsonObject>request(address, request, delivery).map(Message::body);
  }

  @Override
  public Future<Void> put(JsonObject scope, boolean forceFetch) {
    return ask(
            Addresses.SCOPES_PUT,
            new JsonObject().put("scope", scope).put("force_fetch", forceFetch))
        .mapEmpty();
  }

  @Override
  public Future<JsonObject> get(String scopeId) {
    return ask(Addresses.SCOPES_GET, new JsonObject().put("scope_id", scopeId));
  }

  @Override
  public Future<JsonObject> status(String scopeId) {
    return ask(Addresses.SCOPES_STATUS, new JsonObject().put("scope_id", scopeId));
  }

  @Override
  public Future<List<JsonObject>> list() {
    return everyPageAfter(null, new ArrayList<>());
  }

  /**
   * The pages after {@code after}, each of the verticle's default (largest) size, added to {@code
   * scopes}.
   */
  private Future<List<JsonObject>> everyPageAfter(String after, List<JsonObject> scopes) {
    return page(null, after)
        .compose(
            page -> {
              scopes.addAll(page.scopes());
              return page.next() == null
                  ? Future.succeededFuture(List.copyOf(scopes))
                  : everyPageAfter(page.next(), scopes);
            });
  }

  @Override
  public Future<ScopePage> list(int limit, String after) {
    return page(limit, after);
  }

  /** One {@code scopesync.scopes.list} request; a null limit is the verticle's default. */
  private Future<ScopePage> page(Integer limit, String after) {
    JsonObject request = new JsonObject().put("after", after);
    if (limit != null) {
      request.put("limit", limit);
    }
    return ask(Addresses.SCOPES_LIST, request)
        .map(
            reply ->
                new ScopePage(
                    reply.getJsonArray("scopes").stream().map(JsonObject.class::cast).toList(),
                    reply.getString("next")));
  }

  @Override
  public Future<Void> delete(String scopeId) {
    return ask(Addresses.SCOPES_DELETE, new JsonObject().put("scope_id", scopeId)).mapEmpty();
  }

  @Override
  public Future<Void> refresh(String scopeId, String hintedHash) {
    JsonObject request = new JsonObject().put("scope_id", scopeId);
    if (hintedHash != null) {
      request.put("hinted_hash", hintedHash);
    }
    return ask(Addresses.SCOPES_REFRESH, request).mapEmpty();
  }

  @Override
  public Future<Void> refreshAll() {
    return ask(Addresses.SCOPES_REFRESH, new JsonObject()).mapEmpty();
  }

  @Override
  public Future<JsonObject> policy(String scopeId, String baseHash) {
    JsonObject request = new JsonObject().put("scope_id", scopeId);
    if (baseHash != null) {
      request.put("base_hash", baseHash);
    }
    return ask(Addresses.SCOPES_POLICY, request);
  }

  @Override
  public Future<JsonObject> stats() {
    return ask(Addresses.STATS, new JsonObject());
  }

  @Override
  public MessageConsumer<JsonObject> onPolicyUpdated(String scopeId, Handler<JsonObject> handler) {
    String address = scopeId == null ? Addresses.POLICY_UPDATED : Addresses.policyUpdated(scopeId);
    return vertx.eventBus().<JsonObject>consumer(address, m -> handler.handle(m.body()));
  }

  @Override
  public MessageConsumer<JsonObject> onDataUpdated(String scopeId, Handler<JsonObject> handler) {
    return vertx
        .eventBus()
        .<JsonObject>consumer(Addresses.dataUpdated(scopeId), m -> handler.handle(m.body()));
  }

  @Override
  public MessageConsumer<JsonObject> onScopeDeleted(Handler<JsonObject> handler) {
    return vertx
        .eventBus()
        .<JsonObject>consumer(Addresses.SCOPE_DELETED, m -> handler.handle(m.body()));
  }
}
