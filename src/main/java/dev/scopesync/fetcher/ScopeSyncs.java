package dev.scopesync.fetcher;

import dev.scopesync.bus.Addresses;
import dev.scopesync.bus.ClusterView;
import dev.scopesync.bus.ScopeQueries;
import dev.scopesync.bus.SyncOrder;
import dev.scopesync.bus.SyncedEvent;
import dev.scopesync.git.GitFailure;
import dev.scopesync.git.SourceSync;
import dev.scopesync.git.SyncRequest;
import dev.scopesync.git.SyncResult;
import dev.scopesync.metrics.ServerMetrics;
import dev.scopesync.model.SourceId;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs sync orders (DESIGN §3): each scope's sync joins a waiting one or goes to its source's
 * queue, at most {@code git.syncConcurrency} at a time; after a sync it records what the sync
 * found, announces a policy change (one node of the cluster does) and publishes the outcome.
 *
 * <p>Used from the fetcher's context only; the git work itself runs on the git pool.
 */
final class ScopeSyncs {
  private static final Logger LOG = LoggerFactory.getLogger(ScopeSyncs.class);

  /** What the syncs share with the rest of the fetcher. */
  record Parts(
      SourceSync sync,
      GitPool git,
      SourceQueues queues,
      Map<String, Instant> lastFetched,
      BundleService bundles,
      ScopeFreshness freshness,
      Set<String> clonedSources) {
    /**
     * Runs blocking git work on the git pool in the source's queue; {@code after} gets its result
     * on the fetcher's context before the queue's next job starts.
     */
    <T> Future<T> inQueue(String sourceId, Callable<T> work, Consumer<T> after) {
      return queues.submit(sourceId, () -> git.run(work).onSuccess(after::accept));
    }
  }

  private final Vertx vertx;
  private final Parts parts;
  private final ScopeQueries scopes;
  private final ServerMetrics metrics;
  private final Clock clock;
  private final int lanes;
  private final int shards;

  /** One waiting sync per scope: repeated orders join it rather than pile up in the queue. */
  private final PendingSyncs pending = new PendingSyncs();

  private final FailureBackoff backoff;
  private final SourceRoles roles;

  /**
   * Where the items of a source this node owns and does not hold go (sharded clusters): a clone
   * made there is silent and seeded from the source's holder, so a joining node announces nothing.
   */
  private Function<SyncOrder, Future<Void>> acquirer = order -> Future.succeededFuture();

  /** Told of a clone made for a source this node no longer owns (the view moved meanwhile). */
  private Consumer<String> heldNotOwned = sourceId -> {};

  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger peakInFlight = new AtomicInteger();

  ScopeSyncs(
      Vertx vertx,
      Parts parts,
      ScopeQueries scopes,
      ServerMetrics metrics,
      Clock clock,
      int lanes,
      int shards,
      long backoffIntervalMillis,
      SourceRoles roles) {
    this.vertx = vertx;
    this.parts = parts;
    this.scopes = scopes;
    this.metrics = metrics;
    this.clock = clock;
    this.lanes = lanes;
    this.shards = shards;
    this.backoff = new FailureBackoff(backoffIntervalMillis);
    this.roles = roles;
  }

  void acquireWith(Function<SyncOrder, Future<Void>> acquirer, Consumer<String> heldNotOwned) {
    this.acquirer = acquirer;
    this.heldNotOwned = heldNotOwned;
  }

  /** The most scope syncs that were ever in flight at once. */
  int peakInFlight() {
    return peakInFlight.get();
  }

  /** Scopes whose syncs are failing now. */
  int failing() {
    return backoff.size();
  }

  /** A released source (sharded clusters): nothing is kept for its scopes' failures. */
  void forgetSource(String sourceId) {
    backoff.forgetSource(sourceId);
  }

  /** A deleted scope: nothing is kept for it. */
  void forget(String scopeId) {
    backoff.forget(scopeId);
  }

  /**
   * Runs an order; completes when every sync it started has finished and, for this node's own
   * orders ({@code local}: boot, poll, reconcile), every one that joined an earlier order's sync.
   * Whether a backed-off failure holds an item back is the order's own {@code automatic}.
   */
  Future<Void> run(SyncOrder order, boolean local) {
    if (roles.sharded()) {
      // Each source's primary announces its changes (SHARDING.md §3.5), whoever sent the order:
      // asked after the sync, in the view of that moment.
      return take(order, true, local, false);
    }
    // A change is announced by one node of the cluster: the one named in the order, or, for
    // syncs every node runs on its own (boot, polling), the leader.
    ClusterView cluster = ClusterView.of(vertx);
    Future<Boolean> announcing =
        order.announcer() == null
            ? cluster.leads(Addresses.FETCHER_SYNC)
            : Future.succeededFuture(order.announcer().equals(cluster.nodeId()));
    return announcing.otherwise(true).compose(announce -> take(order, announce, local, false));
  }

  /**
   * Runs an order here and announces nothing (a source being acquired: its clone is made silently,
   * SHARDING.md §3.5); completes when every sync it asked for has finished.
   */
  Future<Void> runQuietly(SyncOrder order) {
    return take(order, false, true, true);
  }

  /**
   * Runs an acquisition's compare here, once its refs are seeded: the primary announces what the
   * previous holder had not; completes when done.
   */
  Future<Void> runSeeded(SyncOrder order) {
    return take(order, true, true, true);
  }

  /**
   * @param acquiring the order is an acquisition's own: its items are synced, never handed to the
   *     acquisition again
   */
  private Future<Void> take(SyncOrder order, boolean announce, boolean local, boolean acquiring) {
    List<PendingSyncs.Order> orders = new ArrayList<>();
    List<PendingSyncs.Order> later = new ArrayList<>();
    Set<String> sourcesSeen = new HashSet<>();
    long now = clock.millis();
    List<SyncOrder.Item> toAcquire = new ArrayList<>();
    for (SyncOrder.Item item : order.scopes()) {
      if (!acquiring && roles.toAcquire(item.sourceId())) {
        toAcquire.add(item);
        continue;
      }
      if (!roles.runsHere(item.sourceId())) {
        if (roles.frozenOut(item.sourceId())) {
          publish(item.scopeId(), item.sourceId(), SyncedEvent.FROZEN, null, null, null);
        }
        continue; // another node owns the source (sharded clusters), or this one is frozen
      }
      // In a batch one forced fetch per source is enough; its siblings only compare refs. A scope
      // waiting out a backoff is never the one: it would skip the fetch its siblings rely on.
      boolean waiting = order.automatic() && backoff.waiting(item.scopeId(), now);
      boolean firstOfSource = !waiting && sourcesSeen.add(item.sourceId());
      boolean siblingOfBatch = order.batch() && !firstOfSource;
      PendingSyncs.Order one =
          new PendingSyncs.Order(
              item.scopeId(),
              item.sourceId(),
              order.forceFetch() && !siblingOfBatch,
              order.hintedHash(),
              order.requestedAt(),
              announce,
              order.automatic());
      (siblingOfBatch ? later : orders).add(one);
    }
    orders.addAll(later);
    // Taken in at once, so that the same scopes in later messages join these while they wait
    // for a lane; started `lanes` at a time. Orders that joined another message's waiting sync
    // are that message's to start; this one waits for them only when local.
    List<Supplier<Future<Void>>> starts = new ArrayList<>();
    List<Future<Void>> joined = new ArrayList<>();
    if (!toAcquire.isEmpty()) {
      Future<Void> acquired =
          acquirer.apply(
              new SyncOrder(
                  toAcquire, true, order.hintedHash(), order.requestedAt(), true, false, null));
      if (local) {
        joined.add(acquired);
      }
    }
    for (PendingSyncs.Order one : orders) {
      PendingSyncs.Ticket ticket =
          pending.register(one, job -> parts.queues().submit(one.sourceId(), job), this::syncNow);
      if (ticket.start() != null) {
        starts.add(ticket.start());
      } else if (local) {
        joined.add(ticket.done());
      }
    }
    return runAtMost(starts.iterator())
        .compose(own -> Future.join(joined).otherwiseEmpty().mapEmpty());
  }

  private Future<Void> runAtMost(Iterator<Supplier<Future<Void>>> starts) {
    List<Future<Void>> running = new ArrayList<>();
    for (int i = 0; i < lanes && starts.hasNext(); i++) {
      running.add(nextInLane(starts));
    }
    return Future.join(running).mapEmpty();
  }

  private Future<Void> nextInLane(Iterator<Supplier<Future<Void>>> starts) {
    if (!starts.hasNext()) {
      return Future.succeededFuture();
    }
    Supplier<Future<Void>> start = starts.next();
    peakInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    return start
        .get()
        .onComplete(done -> inFlight.decrementAndGet())
        .otherwiseEmpty()
        .compose(ignored -> nextInLane(starts));
  }

  /** One scope's sync, run from its source's queue. */
  private Future<Void> syncNow(PendingSyncs.Order order) {
    String scopeId = order.scopeId();
    String sourceId = order.sourceId();
    if (!roles.runsHere(sourceId)) {
      // Asked again in the queue: a source released since the order came is not cloned again.
      return Future.succeededFuture();
    }
    if (order.automatic() && backoff.waiting(scopeId, clock.millis())) {
      publish(scopeId, sourceId, SyncedEvent.BACKOFF, null, null, null);
      return Future.succeededFuture();
    }
    // Read inside the queue, not when the order came: a scope deleted or moved to another source
    // meanwhile must not be synced (it would recreate a clone nobody uses).
    return scopes
        .scope(scopeId, false)
        .compose(
            told -> {
              if (told == null || !SourceId.of(told.scope().policy(), shards).equals(sourceId)) {
                publish(scopeId, sourceId, SyncedEvent.SKIPPED, null, null, null);
                return Future.<Void>succeededFuture();
              }
              SyncRequest request =
                  new SyncRequest(
                      scopeId,
                      sourceId,
                      told.scope().policy(),
                      order.forceFetch(),
                      order.hintedHash(),
                      order.requestedAt());
              // Only the announcer moves the scope's ref (SHARDING.md §3.5); the others' refs
              // follow what it announces, so a promoted primary's compare finds what went
              // unannounced.
              boolean moveRef = !roles.sharded() || !order.announce() || roles.primary(sourceId);
              Instant last = parts.lastFetched().get(sourceId);
              return parts
                  .git()
                  .run(() -> parts.sync().run(request, last, moveRef))
                  .onSuccess(result -> afterSync(request, result, order.announce() && moveRef))
                  .onFailure(e -> failed(request, e))
                  .<Void>mapEmpty();
            });
  }

  private void failed(SyncRequest request, Throwable e) {
    GitFailure failure =
        e instanceof GitFailure f ? f : GitFailure.classify("sync", request.source().url(), e);
    String kind = failure.kind().label();
    FailureBackoff.Change change =
        backoff.failed(
            request.scopeId(),
            request.sourceId(),
            kind + ": " + failure.getMessage(),
            failure.needsPerson(),
            clock.millis());
    if (change == FailureBackoff.Change.FAILING) {
      LOG.warn(
          "scope_id={} source_id={} sync failed ({}): {}",
          request.scopeId(),
          request.sourceId(),
          failure.needsPerson()
              ? "needs a person; automatic syncs back off"
              : "retried at the polling rate",
          failure.getMessage());
    } else {
      LOG.debug("scope_id={} sync failed again: {}", request.scopeId(), failure.getMessage());
    }
    publish(request.scopeId(), request.sourceId(), SyncedEvent.ERROR, null, null, failure);
  }

  private void afterSync(SyncRequest request, SyncResult result, boolean announce) {
    if (result.fetchedAt() != null) {
      parts.lastFetched().put(request.sourceId(), result.fetchedAt());
    }
    parts.bundles().recordHeads(request.sourceId(), result.remoteHeads());
    parts.freshness().synced(request.scopeId(), request.sourceId(), clock.millis());
    if (result.cloned()) {
      parts.clonedSources().add(request.sourceId());
      parts.bundles().readyChanged();
      if (!roles.owns(request.sourceId())) {
        heldNotOwned.accept(request.sourceId());
      }
    }
    if (backoff.succeeded(request.scopeId()) == FailureBackoff.Change.RECOVERED) {
      LOG.info("scope_id={} source_id={} syncs again", request.scopeId(), request.sourceId());
    }
    // Sharded, the node that moved the ref announces: the primary when the sync began.
    if (result.policyChanged() && announce && !roles.silent(request.scopeId())) {
      announce(request.scopeId(), result);
    }
    publish(
        request.scopeId(), request.sourceId(), SyncedEvent.OK, result.newCommit(), result, null);
  }

  private void announce(String scopeId, SyncResult result) {
    String oldHash = result.oldCommit() == null ? result.newCommit() : result.oldCommit();
    JsonArray dirs = new JsonArray(List.copyOf(result.changedDirectories()));
    JsonArray topics =
        new JsonArray(result.changedDirectories().stream().map(d -> "policy:" + d).toList());
    JsonObject update =
        new JsonObject()
            .put("scope_id", scopeId)
            .put("old_policy_hash", oldHash)
            .put("new_policy_hash", result.newCommit())
            .put("changed_directories", dirs)
            .put("topics", topics);
    LOG.info(
        "scope_id={} policy updated {} -> {} in {}", scopeId, oldHash, result.newCommit(), dirs);
    metrics.policyUpdate();
    vertx.eventBus().publish(Addresses.POLICY_UPDATED, update);
    vertx.eventBus().publish(Addresses.policyUpdated(scopeId), update);
  }

  private void publish(
      String scopeId,
      String sourceId,
      String outcome,
      String commit,
      SyncResult result,
      GitFailure failure) {
    vertx
        .eventBus()
        .publish(
            Addresses.FETCHER_SYNCED,
            new SyncedEvent(
                    ClusterView.of(vertx).nodeId(),
                    scopeId,
                    sourceId,
                    outcome,
                    commit,
                    result != null && result.cloned(),
                    result != null && !result.cloned() && result.fetchedAt() != null,
                    failure == null ? null : failure.getMessage(),
                    failure == null ? null : failure.kind().label(),
                    failure != null && failure.needsPerson())
                .toJson());
  }
}
