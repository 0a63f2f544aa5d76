package dev.scopesync.client;

import dev.scopesync.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** {@link ScopesClient} over the (clustered) event bus, using the addresses of {@link Addresses}. */
final class EventBusScopesClient implements ScopesClient {
  private final Vertx vertx;

  EventBusScopesClient(Vertx vertx) {
    this.vertx = vertx;
  }

  private Future<JsonObject> ask(String address, JsonObject request) {
    return vertx.eventBus().<JsonObject>request(address, request).map(Message::body);
  }

  @Override
  public Future<Void> put(JsonObject scope, boolean forceFetch) {
    return ask(Addresses.SCOPES_PUT, new JsonObject().put("scope", scope).put("force_fetch", forceFetch)).mapEmpty();
  }

  @Override
  public Future<JsonObject> get(String scopeId) {
    return ask(Addresses.SCOPES_GET, new JsonObject().put("scope_id", scopeId));
  }

  @Override
  public Future<List<JsonObject>> list() {
    return ask(Addresses.SCOPES_LIST, new JsonObject())
        .map(reply -> reply.getJsonArray("scopes").stream().map(JsonObject.class::cast).toList());
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
    return vertx.eventBus().<JsonObject>consumer(Addresses.dataUpdated(scopeId), m -> handler.handle(m.body()));
  }

  @Override
  public MessageConsumer<JsonObject> onScopeDeleted(Handler<JsonObject> handler) {
    return vertx.eventBus().<JsonObject>consumer(Addresses.SCOPE_DELETED, m -> handler.handle(m.body()));
  }
}
