package dev.scopesync.scope;

import dev.scopesync.bus.Addresses;
import dev.scopesync.bus.ClusterView;
import dev.scopesync.bus.ScopeChanged;
import dev.scopesync.model.Scope;
import dev.scopesync.runtime.InFlightLimit;
import dev.scopesync.serving.ServedBundles;
import dev.scopesync.store.ScopeStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's {@link ScopeIndex} kept in line with the store (DESIGN §13): loaded once at start,
 * changed by this node's writes, by other nodes' change events and, for a store other programs
 * write too (Redis), by a reconciling scan every {@code store.reconcileSeconds} that brings in
 * scopes written or deleted there by OPAL or by hand (syncing them, and purging their clones when
 * they go).
 *
 * <p>Not thread-safe: owned by the scope verticle's event loop, except {@link #size()}.
 */
final class ScopeMirror {
  private static final Logger LOG = LoggerFactory.getLogger(ScopeMirror.class);

  /** Scopes indexed or compared per turn of the event loop. */
  private static final int SLICE = 2_000;

  /** Store reads in flight for the in-use question (the Redis client queues at most 4,096). */
  private static final int STORE_CONFIRMATIONS = 64;

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

  /** The load under way, which every caller waits for (null: none). */
  private Future<Void> loading;

  private boolean reconciling;

  /**
   * While the load or a reconcile scans: ids this node wrote or heard about meanwhile (the scan may
   * have read them earlier, so its value for them is older).
   */
  private Set<String> touchedDuringScan;

  /**
   * Store confirmations of the in-use question: a start sweep asks for thousands of sources at
   * once.
   */
  private final InFlightLimit confirmations = new InFlightLimit(STORE_CONFIRMATIONS);

  /** Ids being re-read from the store, each with whether this node wrote it meanwhile. */
  private final Map<String, Reread> rereads = new HashMap<>();

  /** The node's served bundles: a scope's slot is closed on every change of it (DESIGN §18). */
  private final ServedBundles served;

  /** The scopes' last sync outcomes here; an entry goes with its scope. */
  private final SyncStatuses statuses = new SyncStatuses();

  private static final class Reread {
    private int inFlight;
    private boolean writtenHere;
  }

  ScopeMirror(
      Vertx vertx,
      ScopeStore store,
      Function<Scope, String> sourceIdOf,
      SyncOrders orders,
      Clock clock) {
    this.vertx = vertx;
    this.store = store;
    this.sourceIdOf = sourceIdOf;
    this.orders = orders;
    this.clock = clock;
    this.index = new ScopeIndex(sourceIdOf);
    this.served = ServedBundles.of(vertx);
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

  /**
   * Fills the index from the store, once; callers during the load wait for the same one. A scope
   * this node writes while the load runs keeps its newer value. A failed load (store down) is tried
   * again by the next caller.
   */
  Future<Void> load() {
    if (loaded) {
      return Future.succeededFuture();
    }
    if (loading == null) {
      touchedDuringScan = new HashSet<>();
      loading =
          store
              .all()
              .compose(
                  scopes ->
                      inSlices(
                              scopes,
                              scope -> {
                                if (!touchedDuringScan.contains(scope.scopeId())) {
                                  index.put(scope);
                                }
                              })
                          .map(scopes.size()))
              .map(
                  count -> {
                    size = index.size();
                    loaded = true;
                    LOG.info("{} scopes loaded from the store", count);
                    return (Void) null;
                  })
              .onComplete(
                  done -> {
                    loading = null;
                    touchedDuringScan = null;
                  });
    }
    return loading;
  }

  /** This node wrote a scope: adds or replaces it; answers the one it replaced, or null. */
  Scope put(Scope scope) {
    writtenHere(scope.scopeId());
    return apply(scope);
  }

  /** The scopes' last sync outcomes on this node (kept with the index, dropped with a scope). */
  SyncStatuses statuses() {
    return statuses;
  }

  /** This node deleted a scope: removes it; answers it, or null when it was not here. */
  Scope remove(String scopeId) {
    writtenHere(scopeId);
    return applyRemoval(scopeId);
  }

  private void writtenHere(String scopeId) {
    Reread reread = rereads.get(scopeId);
    if (reread != null) {
      reread.writtenHere = true;
    }
  }

  private Scope apply(Scope scope) {
    if (touchedDuringScan != null) {
      touchedDuringScan.add(scope.scopeId());
    }
    Scope previous = index.put(scope);
    size = index.size();
    if (!scope.equals(previous)) {
      served.close(scope.scopeId());
    }
    return previous;
  }

  private Scope applyRemoval(String scopeId) {
    if (touchedDuringScan != null) {
      touchedDuringScan.add(scopeId);
    }
    Scope removed = index.remove(scopeId);
    size = index.size();
    statuses.forget(scopeId);
    served.close(scopeId);
    return removed;
  }

  /**
   * The scope as the store holds it now (null: not stored), brought into the index on the way,
   * unless this node wrote it while the read was out: that write is newer than what was read.
   */
  Future<Scope> reread(String scopeId) {
    Reread reread = rereads.computeIfAbsent(scopeId, id -> new Reread());
    reread.inFlight++;
    return store
        .get(scopeId)
        .andThen(
            read -> {
              boolean stale = reread.writtenHere;
              if (--reread.inFlight == 0) {
                rereads.remove(scopeId);
              }
              if (read.succeeded() && !stale) {
                if (read.result() == null) {
                  applyRemoval(scopeId);
                } else {
                  apply(read.result());
                }
              }
            });
  }

  /**
   * The scope as stored now, for the fetcher before each sync. With a shared store it is read from
   * the store (one key), so a sync never works from a mirror that has not yet heard of a change
   * made on another node a moment ago; otherwise the index is the store.
   */
  Future<Scope> current(String scopeId) {
    return load()
        .compose(
            ok -> store.shared() ? reread(scopeId) : Future.succeededFuture(index.get(scopeId)));
  }

  /**
   * Whether any scope still uses the source: the index's scopes of that source, each confirmed by
   * the store when other nodes or programs write it too (a mirror that has not yet heard of a
   * delete elsewhere must not keep a clone alive). O(scopes of that source). Never answered from an
   * index that is not loaded: if the store cannot be read, the fetcher keeps the clone.
   */
  Future<Boolean> inUse(String sourceId) {
    return load()
        .compose(
            ok -> {
              Set<String> ids = index.idsOfSource(sourceId);
              if (ids.isEmpty() || !store.shared()) {
                return Future.succeededFuture(!ids.isEmpty());
              }
              return confirmations.run(() -> confirmInStore(ids.iterator(), sourceId));
            });
  }

  /**
   * Whether one of these scopes is still stored on that source, asking the store one scope at a
   * time until one is (usually the first): a start sweep over thousands of clones must not send the
   * store every scope of every source at once.
   */
  private Future<Boolean> confirmInStore(Iterator<String> ids, String sourceId) {
    if (!ids.hasNext()) {
      return Future.succeededFuture(false);
    }
    return store
        .get(ids.next())
        .compose(
            scope ->
                scope != null && sourceIdOf.apply(scope).equals(sourceId)
                    ? Future.succeededFuture(true)
                    : confirmInStore(ids, sourceId));
  }

  /** Tells the other nodes that a scope changed in the shared store: they re-read it. */
  void announce(String scopeId) {
    if (store.shared()) {
      vertx
          .eventBus()
          .publish(
              Addresses.SCOPES_CHANGED,
              new ScopeChanged(scopeId, ClusterView.of(vertx).nodeId()).toJson());
    }
  }

  /** Another node changed a scope: this node's index takes the store's word for it. */
  void onChanged(JsonObject json) {
    ScopeChanged event = ScopeChanged.fromJson(json);
    if (event == null || ClusterView.of(vertx).nodeId().equals(event.node())) {
      return;
    }
    String scopeId = event.scopeId();
    reread(scopeId)
        .onFailure(
            e ->
                LOG.warn(
                    "scope_id={} changed elsewhere, not re-read: {}; the next reconcile will",
                    scopeId,
                    e.getMessage()));
  }

  /**
   * Brings the index in line with a shared store: scopes written or deleted there by OPAL or by
   * hand appear and disappear, and their clones are synced and purged. One scan per period, never
   * per request; a scan still running when the next is due is not doubled.
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
    store
        .all()
        .compose(
            stored ->
                inSlices(
                    stored,
                    scope -> {
                      gone.remove(scope.scopeId());
                      if (touchedDuringScan.contains(scope.scopeId())) {
                        return; // written here or announced meanwhile: newer than what the scan
                        // read
                      }
                      Scope known = index.get(scope.scopeId());
                      if (!scope.equals(known)) {
                        orders.replacedHere(apply(scope), scope);
                        changed.add(scope);
                      }
                    }))
        .onSuccess(
            sliced -> {
              gone.removeAll(touchedDuringScan);
              for (String scopeId : gone) {
                Scope removed = applyRemoval(scopeId);
                if (removed != null) {
                  orders.deletedHere(scopeId, sourceIdOf.apply(removed));
                }
              }
              if (!changed.isEmpty() || !gone.isEmpty()) {
                LOG.info(
                    "reconciled with the store: {} scopes new or changed, {} gone",
                    changed.size(),
                    gone.size());
              }
              orders.here(changed, requestedAt);
            })
        .onFailure(e -> LOG.warn("reconcile with the store failed: {}", e.getMessage()))
        .onComplete(
            done -> {
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

  private <T> void slice(
      List<T> items, int from, Consumer<T> step, Context context, Promise<Void> done) {
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
