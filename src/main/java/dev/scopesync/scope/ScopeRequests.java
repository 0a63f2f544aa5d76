package dev.scopesync.scope;

import dev.scopesync.bus.Addresses;
import dev.scopesync.bus.BundleQuery;
import dev.scopesync.bus.ClusterView;
import dev.scopesync.bus.Failures;
import dev.scopesync.bus.FetcherOrders;
import dev.scopesync.bus.StatsFields;
import dev.scopesync.metrics.ProcessStats;
import dev.scopesync.model.InvalidScopeException;
import dev.scopesync.model.Scope;
import dev.scopesync.store.ScopeStore;
import dev.scopesync.validation.CommitHash;
import dev.scopesync.validation.ScopeParser;
import dev.scopesync.webhook.PushEvent;
import dev.scopesync.webhook.PushEvents;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scope verticle's public addresses (DESIGN §7): each method takes a request body and answers
 * the reply, or fails with a {@link dev.scopesync.model.CodedFailure} or a coded reply. Writes go
 * to the store first and are acknowledged once it has them; reads come from the node's mirror; what
 * the fetchers must do goes through {@link SyncOrders}.
 *
 * <p>Used from the scope verticle's context only.
 */
final class ScopeRequests {
  private static final Logger LOG = LoggerFactory.getLogger(ScopeRequests.class);

  private static final int MAX_PAGE = Addresses.MAX_PAGE;

  private final Vertx vertx;
  private final ScopeParser parser;
  private final ScopeStore store;
  private final ScopeMirror mirror;
  private final SyncOrders orders;
  private final Function<Scope, String> sourceIdOf;
  private final Clock clock;

  ScopeRequests(
      Vertx vertx,
      ScopeParser parser,
      ScopeStore store,
      ScopeMirror mirror,
      SyncOrders orders,
      Function<Scope, String> sourceIdOf,
      Clock clock) {
    this.vertx = vertx;
    this.parser = parser;
    this.store = store;
    this.mirror = mirror;
    this.orders = orders;
    this.sourceIdOf = sourceIdOf;
    this.clock = clock;
  }

  Future<JsonObject> put(JsonObject body) {
    Scope scope = parser.parse(body.getValue("scope"));
    boolean forceFetch = bool(body, "force_fetch");
    long requestedAt = clock.millis();
    return store
        .put(scope)
        .map(
            stored -> {
              Scope indexed = mirror.put(scope);
              Scope previous = stored != null ? stored : indexed;
              String sourceId = sourceIdOf.apply(scope);
              orders.replaced(previous, scope);
              mirror.announce(scope.scopeId());
              LOG.info("scope_id={} source_id={} stored", scope.scopeId(), sourceId);
              orders.everywhere(List.of(scope), forceFetch, null, requestedAt, false);
              return new JsonObject();
            });
  }

  Future<JsonObject> get(JsonObject body) {
    String scopeId = ScopeParser.scopeId(body.getValue("scope_id"), "scope_id");
    return existing(scopeId).map(Scope::toPublicJson);
  }

  /**
   * The scope's last sync outcome on this node: {@code {"scope_id", "status"}}, the status null
   * before its first sync (DESIGN §10's sync outcome, with {@code kind} and {@code needs_person}
   * for a failure).
   */
  Future<JsonObject> status(JsonObject body) {
    String scopeId = ScopeParser.scopeId(body.getValue("scope_id"), "scope_id");
    return existing(scopeId)
        .map(
            scope ->
                new JsonObject()
                    .put("scope_id", scopeId)
                    .put("status", mirror.statuses().of(scopeId)));
  }

  /**
   * One page of scopes in id order: {@code limit} (default and at most {@link #MAX_PAGE}) after
   * {@code after}; {@code next} is the id to continue after, or null on the last page.
   */
  Future<JsonObject> list(JsonObject body) {
    Object after = body.getValue("after");
    if (after != null && !(after instanceof String)) {
      throw new InvalidScopeException("after", "must be a scope id");
    }
    Object limitValue = body.getValue("limit");
    if (limitValue != null && !(limitValue instanceof Integer i && i >= 1 && i <= MAX_PAGE)) {
      throw new InvalidScopeException("limit", "must be an integer from 1 to " + MAX_PAGE);
    }
    int limit = limitValue == null ? MAX_PAGE : (Integer) limitValue;
    List<Scope> page = mirror.index().page((String) after, limit + 1);
    boolean more = page.size() > limit;
    List<Scope> shown = more ? page.subList(0, limit) : page;
    return Future.succeededFuture(
        new JsonObject()
            .put("scopes", new JsonArray(shown.stream().map(Scope::toPublicJson).toList()))
            .put("next", more ? shown.get(shown.size() - 1).scopeId() : null));
  }

  Future<JsonObject> delete(JsonObject body) {
    String scopeId = ScopeParser.scopeId(body.getValue("scope_id"), "scope_id");
    return store
        .delete(scopeId)
        .map(
            stored -> {
              Scope indexed = mirror.remove(scopeId);
              Scope removed = stored != null ? stored : indexed;
              mirror.announce(scopeId);
              if (removed != null) {
                LOG.info("scope_id={} deleted", scopeId);
                orders.deleted(scopeId, sourceIdOf.apply(removed));
                vertx
                    .eventBus()
                    .publish(Addresses.SCOPE_DELETED, new JsonObject().put("scope_id", scopeId));
              }
              return new JsonObject();
            });
  }

  Future<JsonObject> refresh(JsonObject body) {
    long requestedAt = clock.millis();
    String hintedHash = commitHash(body, "hinted_hash");
    if (body.getValue("scope_id") == null) {
      // Every node syncs every scope, one message per chunk of whole sources.
      for (List<Scope> chunk : mirror.index().chunksBySource(SyncOrders.CHUNK, s -> true)) {
        orders.everywhere(chunk, true, null, requestedAt, true);
      }
      return Future.succeededFuture(new JsonObject());
    }
    String scopeId = ScopeParser.scopeId(body.getValue("scope_id"), "scope_id");
    return existing(scopeId)
        .map(
            scope -> {
              // No hint: force a fetch (unless one happened after this request arrived).
              orders.everywhere(List.of(scope), hintedHash == null, hintedHash, requestedAt, false);
              return new JsonObject();
            });
  }

  Future<JsonObject> policy(JsonObject body) {
    String scopeId = ScopeParser.scopeId(body.getValue("scope_id"), "scope_id");
    String base = commitHash(body, "base_hash");
    return FetcherOrders.of(vertx)
        .bundle(BundleQuery.json(scopeId, base))
        .map(reply -> new JsonObject(reply.body()));
  }

  Future<JsonObject> stats() {
    Future<JsonObject> fetcher = FetcherOrders.of(vertx).stats();
    Future<JsonObject> process = vertx.executeBlocking(ProcessStats::read);
    return Future.all(fetcher, process)
        .map(
            all ->
                new JsonObject()
                    .put(StatsFields.SCOPES, mirror.index().size())
                    .mergeIn(fetcher.result())
                    .mergeIn(process.result())
                    .put(StatsFields.CLUSTER_NODES, ClusterView.of(vertx).nodes()));
  }

  Future<JsonObject> ready() {
    Future<Void> storeOk =
        store
            .ping()
            .compose(ok -> mirror.load())
            .recover(
                e ->
                    Future.failedFuture(
                        Failures.of(Failures.UNAVAILABLE, "store: " + e.getMessage())));
    return storeOk
        .compose(ok -> FetcherOrders.of(vertx).stats())
        .compose(
            stats ->
                stats.getValue(StatsFields.SHARD_FROZEN) instanceof String frozen
                    ? Future.failedFuture(
                        Failures.of(Failures.UNAVAILABLE, "fetcher frozen: " + frozen))
                    : Future.succeededFuture(stats))
        .recover(
            e ->
                Failures.statusOf(e) == Failures.UNAVAILABLE
                        && !(e.getMessage() != null && e.getMessage().startsWith("store:"))
                    ? Future.failedFuture(
                        Failures.of(Failures.UNAVAILABLE, "fetcher: " + Failures.detailOf(e)))
                    : Future.failedFuture(e))
        .map(ignored -> new JsonObject().put("status", "ready"));
  }

  /**
   * A verified push (DESIGN §8): refreshes, with a forced fetch, exactly the scopes whose url names
   * the pushed repository and whose branch was pushed.
   */
  Future<JsonObject> webhookPush(JsonObject body) {
    PushEvent event = PushEvents.fromJson(body);
    long requestedAt = clock.millis();
    List<Scope> concerned = mirror.index().concernedBy(event);
    // After the answer: a push to a repository thousands of scopes use answers as soon as it
    // knows which, and the sync orders (a message per 500 scopes) are built on the next turn.
    vertx
        .getOrCreateContext()
        .runOnContext(next -> orders.everywhere(concerned, true, null, requestedAt, false));
    List<String> ids = concerned.stream().map(Scope::scopeId).toList();
    LOG.info(
        "webhook push from {} ({} {}): refreshing {} scopes",
        event.provider(),
        event.fullNames(),
        event.branches(),
        ids.size());
    return Future.succeededFuture(new JsonObject().put("scopes", new JsonArray(ids)));
  }

  private Future<Scope> existing(String scopeId) {
    Scope scope = mirror.index().get(scopeId);
    return scope == null
        ? Future.failedFuture(Failures.of(Failures.NOT_FOUND, "No such scope: " + scopeId))
        : Future.succeededFuture(scope);
  }

  /** A commit hash field of a request: absent, or a valid hash ({@link CommitHash}). */
  private static String commitHash(JsonObject body, String key) {
    Object value = body.getValue(key);
    if (value != null && !(value instanceof String s && CommitHash.valid(s))) {
      throw new InvalidScopeException(key, CommitHash.RULE);
    }
    return (String) value;
  }

  private static boolean bool(JsonObject body, String key) {
    Object value = body.getValue(key);
    if (value == null) {
      return false;
    }
    if (!(value instanceof Boolean b)) {
      throw new InvalidScopeException(key, "must be a boolean");
    }
    return b;
  }
}
