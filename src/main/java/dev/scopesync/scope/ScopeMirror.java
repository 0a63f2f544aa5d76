package dev.scopesync.scope;

import dev.scopesync.bus.Addresses;
import dev.scopesync.bus.ClusterView;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's {@link ScopeIndex} kept in line with the store (DESIGN §13): loaded once at
 * start, changed by this node's writes, by other nodes' change events and, for a store other
 * programs write too (Redis), by a reconciling scan every {@code store.reconcileSeconds}
 * that brings in scopes written or deleted there by OPAL or by hand (syncing them, and
 * purging their clones when they go).
 *
 * <p>Not thread-safe: owned by the scope verticle's event loop, except {@link #size()}.
 */
final class ScopeMirror {
  private static final Logger LOG = LoggerFactory.getLogger(ScopeMirror.class);
  /** Scopes indexed or compared per turn of the event loop. */
  private static final int SLICE = 2_000;

  private final Vertx vertx;
  private final ScopeStore store;
  private final Function<Scope, String> sourceIdOf;
  private final SyncOrders orders;
  private final Clock clock;
  private final ScopeIndex index;
  /** The index's size, for the gauge (read on the scrape thread). */
  private volatile int size;
  /** Whether the index holds the store's scopes (false while the store was down since start). */
  private boolean loaded;
  private boolean reconciling;
  /** While a reconcile scans: ids this node wrote or heard about meanwhile (the scan may have read them earlier). */
  private Set<String> touchedDuringScan;

  ScopeMirror(Vertx vertx, ScopeStore store, Function<Scope, String> sourceIdOf, SyncOrders orders, Clock clock) {
    this.vertx = vertx;
    this.store = store;
    this.sourceIdOf = sourceIdOf;
    this.orders = orders;
    this.clock = clock;
    this.index = new ScopeIndex(sourceIdOf);
  }

  /** The scopes, for reading; change them only through {@link #put} and {@link #remove}. */
  ScopeIndex index() {
    return index;
  }

  boolean loaded() {
    return loaded;
  }

  /** How many scopes; safe from any thread. */
  int size() {
    return size;
  }

  /** Fills the index from the store, once. */
  Future<Void> load() {
    if (loaded) {
      return Future.succeededFuture();
    }
    return store.all()
        .compose(scopes -> inSlices(scopes, index::put).map(scopes.size()))
        .map(count -> {
          size = index.size();
          loaded = true;
          LOG.info("{} scopes loaded from the store", count);
          return null;
        });
  }

  /** Adds or replaces a scope; answers the one it replaced, or null. */
  Scope put(Scope scope) {
    if (touchedDuringScan != null) {
      touchedDuringScan.add(scope.scopeId());
    }
    Scope previous = index.put(scope);
    size = index.size();
    return previous;
  }

  /** Removes a scope; answers it, or null when it was not here. */
  Scope remove(String scopeId) {
    if (touchedDuringScan != null) {
      touchedDuringScan.add(scopeId);
    }
    Scope removed = index.remove(scopeId);
    size = index.size();
    return removed;
  }

  /** Tells the other nodes that a scope changed in the shared store: they re-read it. */
  void announce(String scopeId) {
    if (store.shared()) {
      vertx.eventBus().publish(Addresses.SCOPES_CHANGED,
          new JsonObject().put("scope_id", scopeId).put("node", ClusterView.of(vertx).nodeId()));
    }
  }

  /** Another node changed a scope: this node's index takes the store's word for it. */
  void onChanged(JsonObject event) {
    String scopeId = event.getString("scope_id");
    if (scopeId == null || ClusterView.of(vertx).nodeId().equals(event.getString("node"))) {
      return;
    }
    store.get(scopeId)
        .onSuccess(scope -> {
          if (scope == null) {
            remove(scopeId);
          } else {
            put(scope);
          }
        })
        .onFailure(e -> LOG.warn("scope_id={} changed elsewhere, not re-read: {}; the next reconcile will",
            scopeId, e.getMessage()));
  }

  /**
   * Brings the index in line with a shared store: scopes written or deleted there by OPAL or
   * by hand appear and disappear, and their clones are synced and purged. One scan per
   * period, never per request; a scan still running when the next is due is not doubled.
   */
  void reconcile() {
    if (reconciling || !loaded) {
      return;
    }
    reconciling = true;
    long requestedAt = clock.millis();
    // Ids known when the scan starts: one that is missing from it was deleted behind our back.
    Set<String> gone = index.ids();
    List<Scope> changed = new ArrayList<>();
    touchedDuringScan = new HashSet<>();
    store.all()
        .compose(stored -> inSlices(stored, scope -> {
            gone.remove(scope.scopeId());
            if (touchedDuringScan.contains(scope.scopeId())) {
              return; // written here or announced meanwhile: newer than what the scan read
            }
            Scope known = index.get(scope.scopeId());
            if (!scope.equals(known)) {
              Scope previous = put(scope);
              if (previous != null && !sourceIdOf.apply(previous).equals(sourceIdOf.apply(scope))) {
                orders.deleted(previous.scopeId(), sourceIdOf.apply(previous));
              }
              changed.add(scope);
            }
          }))
        .onSuccess(sliced -> {
          gone.removeAll(touchedDuringScan);
          for (String scopeId : gone) {
            Scope removed = remove(scopeId);
            if (removed != null) {
              orders.deleted(scopeId, sourceIdOf.apply(removed));
            }
          }
          if (!changed.isEmpty() || !gone.isEmpty()) {
            LOG.info("reconciled with the store: {} scopes new or changed, {} gone", changed.size(), gone.size());
          }
          orders.here(changed, requestedAt);
        })
        .onFailure(e -> LOG.warn("reconcile with the store failed: {}", e.getMessage()))
        .onComplete(done -> {
          reconciling = false;
          touchedDuringScan = null;
        });
  }

  /**
   * Applies {@code step} to every item, {@link #SLICE} at a time with the event loop free in
   * between: 100,000 scopes indexed at once would block it for seconds.
   */
  private <T> Future<Void> inSlices(List<T> items, Consumer<T> step) {
    Promise<Void> done = Promise.promise();
    slice(items, 0, step, vertx.getOrCreateContext(), done);
    return done.future();
  }

  private <T> void slice(List<T> items, int from, Consumer<T> step, Context context, Promise<Void> done) {
    int to = Math.min(items.size(), from + SLICE);
    try {
      for (int i = from; i < to; i++) {
        step.accept(items.get(i));
      }
    } catch (RuntimeException e) {
      done.fail(e);
      return;
    }
    if (to >= items.size()) {
      done.complete();
    } else {
      context.runOnContext(next -> slice(items, to, step, context, done));
    }
  }
}
