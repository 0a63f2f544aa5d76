package dev.scopesync.fetcher;

import dev.scopesync.git.GitFailure;

import dev.scopesync.git.SyncResult;
import dev.scopesync.git.SyncRequest;
import dev.scopesync.git.CloneDirectories;
import dev.scopesync.git.RepositoryHandles;
import dev.scopesync.git.SourceSync;

import dev.scopesync.bus.Addresses;
import dev.scopesync.bus.ClusterView;
import dev.scopesync.bus.Delivery;
import dev.scopesync.serving.ServedBundles;
import dev.scopesync.bus.StatsFields;
import dev.scopesync.bus.Failures;
import dev.scopesync.config.ServerConfig;
import dev.scopesync.git.transport.GitTransports;
import dev.scopesync.metrics.ServerMetrics;
import dev.scopesync.model.Scope;
import dev.scopesync.validation.ScopeParser;
import dev.scopesync.model.SourceId;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns git (DESIGN §1): the open repository handles, the last-fetched times, the
 * per-source queues and the clone directories. Every JGit and file call runs on the
 * named git worker pool; the queues guarantee that two operations on one source never
 * overlap while different sources proceed in parallel.
 *
 * <p>The delete path is the reason this class exists: when the last scope of a source
 * goes, the source's handle is closed and dropped, its last-fetched time forgotten and
 * its clone deleted, so after any churn nothing is held for unused sources.
 */
public final class FetcherVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(FetcherVerticle.class);
  public static final String GIT_POOL = "scopesync-git";
  /** Bundle builds and ref reads: apart from clones and fetches, so hung remotes never stall serving. */
  public static final String BUNDLE_POOL = "scopesync-bundle";
  /** How long shutdown waits for running git work before closing the handles anyway. */
  static final long SHUTDOWN_GRACE_SECONDS = 10;

  private final ServerConfig config;
  private final ServerMetrics metrics;
  private final ScopeFreshness freshness = new ScopeFreshness();
  /**
   * The sources with a clone directory, kept as clones and purges happen: listed once at start,
   * never per operation (DESIGN §13).
   */
  private final Set<String> clonedSources = ConcurrentHashMap.newKeySet();
  /** Directories under git_sources that are not clones of ours (found at start, left alone). */
  private volatile int otherDirs;
  private final Clock clock;
  private final RepositoryHandles.Opener opener;
  private final Map<String, Instant> lastFetched = new ConcurrentHashMap<>();
  private final SourceQueues queues = new SourceQueues();
  /** One waiting sync per scope: repeated orders join it rather than pile up in the queue. */
  private final PendingSyncs pending = new PendingSyncs();
  private final ScopeParser storedScopes = ScopeParser.forStoredScopes();
  private RepositoryHandles handles;
  private CloneDirectories clones;
  private SourceSync sync;
  private BundleCache bundleCache;
  private BundleService bundles;
  /** The node's served bundles: this verticle publishes into them and empties them when it stops. */
  private ServedBundles served;
  private WorkerExecutor git;
  private WorkerExecutor bundlePool;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private final AtomicInteger syncsInFlight = new AtomicInteger();
  private final AtomicInteger peakSyncsInFlight = new AtomicInteger();
  /** Set when the verticle stops: running clones and fetches are cancelled at JGit's next check. */
  private volatile boolean stopping;

  public FetcherVerticle(ServerConfig config, ServerMetrics metrics) {
    this(config, metrics, Clock.systemUTC(), RepositoryHandles.FILE_OPENER);
  }

  /** For tests: an injected clock and repository opener. */
  FetcherVerticle(ServerConfig config, ServerMetrics metrics, Clock clock, RepositoryHandles.Opener opener) {
    this.config = config;
    this.metrics = metrics;
    this.clock = clock;
    this.opener = opener;
  }

  @Override
  public Future<?> start() {
    // JGit's own git:// transport ignores read timeouts: a silent daemon would hang a worker forever.
    GitTransports.install();
    handles = new RepositoryHandles(opener, config.maxOpenRepositories());
    clones = new CloneDirectories(config.gitSourcesDir().toAbsolutePath().normalize());
    sync = new SourceSync(handles, clones, clock, config.gitTimeoutSeconds(), () -> stopping,
        metrics::gitOperation, config.gitSshDirectory());
    // Hung JGit calls are bounded by the transport timeout; the pool's own limit only
    // decides when Vert.x starts warning, so it sits just above that bound.
    git = vertx.createSharedWorkerExecutor(GIT_POOL, config.gitWorkerPoolSize(),
        config.gitTimeoutSeconds() * 2L + 30, TimeUnit.SECONDS);
    served = ServedBundles.of(vertx);
    bundleCache = new BundleCache(config.bundleCacheMaxBytes(), served::evicted);
    bundlePool = vertx.createSharedWorkerExecutor(BUNDLE_POOL, config.gitWorkerPoolSize());
    bundles = new BundleService(this::onBundlePool, this::servingScope, handles, clones, bundleCache,
        config.cloneShards(), metrics, config.bundleSigner(), served);
    registerGauges();
    // Before any consumer exists no clone of ours can be running: every scratch directory
    // is a crash's leftover.
    return blocking(() -> {
      int removed = clones.removeScratch();
      listCloneDirs();
      return removed;
    })
        .onSuccess(n -> {
          if (n > 0) {
            LOG.info("removed {} half-made clones left by an earlier run", n);
          }
        })
        .compose(n -> registerConsumers());
  }

  private Future<?> registerConsumers() {
    consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.FETCHER_SYNC, m -> syncAll(m.body(), false)));
    consumers.add(vertx.eventBus().<JsonObject>localConsumer(Addresses.FETCHER_SWEEP, this::onSweep));
    consumers.add(vertx.eventBus().<JsonObject>localConsumer(Addresses.FETCHER_SYNC_LOCAL,
        m -> syncAll(m.body(), true).onComplete(done -> m.reply(new JsonObject()))));
    consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.FETCHER_DELETE, this::onDelete));
    consumers.add(vertx.eventBus().<JsonObject>localConsumer(Addresses.FETCHER_STATS, this::onStats));
    // Bundles are answered by the node that was asked: every node has its own clones.
    consumers.add(vertx.eventBus().<JsonObject>localConsumer(Addresses.FETCHER_BUNDLE, this::onBundle));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
  }

  /**
   * At start, after the scopes are known: purges every clone directory no scope uses.
   * Each one goes through its source's queue and the same in-use question as a delete, so
   * a scope created meanwhile keeps its clone.
   */
  private void onSweep(Message<JsonObject> message) {
    blocking(clones::sourceDirectories)
        .compose(found -> Future.join(found.stream().map(sourceId -> queues.submit(sourceId,
            () -> sourceInUse(sourceId).compose(inUse -> inUse
                ? Future.succeededFuture(false)
                : purge(sourceId)))).toList()))
        .onSuccess(all -> {
          long removed = all.list().stream().filter(Boolean.TRUE::equals).count();
          if (removed > 0) {
            LOG.info("start sweep: removed {} clone directories no scope uses", removed);
          }
          message.reply(new JsonObject().put("removed", removed));
        })
        .onFailure(e -> Failures.reply(message, e));
  }

  @Override
  public Future<?> stop() {
    // Cancel running git work (JGit checks between reads; a silent socket is bounded by
    // the read timeout), give the queues a bounded grace to drain, then close every
    // handle: shutdown never waits on a hung remote for longer than the grace.
    stopping = true;
    return Future.all(consumers.stream().map(MessageConsumer::unregister).toList())
        .transform(ignored -> queues.drained().timeout(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS))
        .onFailure(e -> LOG.warn("git work still running after {} s at shutdown: closing anyway",
            SHUTDOWN_GRACE_SECONDS))
        // Not on the git pool: its threads may all be stuck in hung remotes.
        .transform(ignored -> vertx.executeBlocking(() -> {
          handles.closeAll();
          return null;
        }))
        .eventually(() -> {
          served.clear();
          return bundlePool.close();
        })
        .eventually(() -> git.close());
  }

  /** The most scope syncs that were ever in flight at once (git.syncConcurrency bounds a batch). */
  public int peakSyncsInFlight() {
    return peakSyncsInFlight.get();
  }

  private <T> Future<T> onBundlePool(Callable<T> work) {
    return bundlePool.executeBlocking(work, false);
  }

  private <T> Future<T> blocking(Callable<T> work) {
    // Unordered: the source queues already order what must be ordered; ordered=true would
    // serialise every source behind one another on this verticle's context.
    return git.executeBlocking(work, false);
  }

  // --- sync ------------------------------------------------------------------------------

  /**
   * Syncs the scopes of a sync message; completes when every one this message started has
   * finished, and, with {@code awaitJoined}, every one that joined an earlier message's sync.
   */
  private Future<Void> syncAll(JsonObject body, boolean awaitJoined) {
    JsonArray items = body.getJsonArray("scopes");
    if (items == null) {
      LOG.warn("ignoring a sync message without scopes");
      return Future.succeededFuture();
    }
    boolean forceFetch = body.getBoolean("force_fetch", false);
    boolean batch = body.getBoolean("batch", false);
    String hintedHash = body.getString("hinted_hash");
    Long requestedAtMillis = body.getLong("requested_at");
    Instant requestedAt = requestedAtMillis == null ? null : Instant.ofEpochMilli(requestedAtMillis);
    // A change is announced by one node of the cluster: the one named in the request, or,
    // for syncs every node runs on its own (boot, polling), the leader.
    String announcer = body.getString("announcer");
    ClusterView cluster = ClusterView.of(vertx);
    Future<Boolean> announcing = announcer == null
        ? cluster.leads(Addresses.FETCHER_SYNC)
        : Future.succeededFuture(announcer.equals(cluster.nodeId()));
    return announcing.otherwise(true).compose(announce -> runOrders(items, forceFetch, batch, hintedHash,
        requestedAt, announce, awaitJoined));
  }

  private Future<Void> runOrders(JsonArray items, boolean forceFetch, boolean batch, String hintedHash,
      Instant requestedAt, boolean announce, boolean awaitJoined) {
    List<PendingSyncs.Order> orders = new ArrayList<>();
    List<PendingSyncs.Order> later = new ArrayList<>();
    Set<String> sourcesSeen = new HashSet<>();
    for (int i = 0; i < items.size(); i++) {
      JsonObject item = items.getJsonObject(i);
      String scopeId = item.getString("scope_id");
      String sourceId = item.getString("source_id");
      if (scopeId == null || sourceId == null || !SourceId.SHAPE.matcher(sourceId).matches()) {
        LOG.warn("ignoring a sync item without a valid scope_id and source_id");
        continue;
      }
      boolean firstOfSource = sourcesSeen.add(sourceId);
      if (batch && !firstOfSource) {
        // One forced fetch per source is enough; its siblings only compare refs.
        later.add(new PendingSyncs.Order(scopeId, sourceId, false, hintedHash, requestedAt, announce));
      } else {
        orders.add(new PendingSyncs.Order(scopeId, sourceId, forceFetch, hintedHash, requestedAt, announce));
      }
    }
    orders.addAll(later);
    // Taken in at once, so that the same scopes in later messages join these while they wait
    // for a lane; started syncConcurrency at a time. Orders that joined another message's
    // waiting sync are that message's to start; this one waits for them only when asked to.
    List<Supplier<Future<Void>>> starts = new ArrayList<>();
    List<Future<Void>> joined = new ArrayList<>();
    for (PendingSyncs.Order order : orders) {
      PendingSyncs.Ticket ticket = pending.register(order, job -> queues.submit(order.sourceId(), job),
          this::syncNow);
      if (ticket.start() != null) {
        starts.add(ticket.start());
      } else if (awaitJoined) {
        joined.add(ticket.done());
      }
    }
    return runAtMost(config.syncConcurrency(), starts.iterator())
        .compose(own -> Future.join(joined).otherwiseEmpty().mapEmpty());
  }

  /** Starts the syncs in sequence, {@code lanes} at a time (git.syncConcurrency). */
  private Future<Void> runAtMost(int lanes, Iterator<Supplier<Future<Void>>> starts) {
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
    peakSyncsInFlight.accumulateAndGet(syncsInFlight.incrementAndGet(), Math::max);
    return start.get()
        .onComplete(done -> syncsInFlight.decrementAndGet())
        .otherwiseEmpty()
        .compose(ignored -> nextInLane(starts));
  }

  /** One scope's sync, run from its source's queue. */
  private Future<Void> syncNow(PendingSyncs.Order order) {
    String scopeId = order.scopeId();
    String sourceId = order.sourceId();
    return currentScope(scopeId)
        .compose(scope -> {
          if (scope == null || !SourceId.of(scope.policy(), config.cloneShards()).equals(sourceId)) {
            // Deleted or moved to another source since the sync was asked for: syncing
            // now would recreate a clone nobody uses.
            publishSynced(scopeId, sourceId, "skipped", null, null, null);
            return Future.<Void>succeededFuture();
          }
          SyncRequest request = new SyncRequest(scopeId, sourceId, scope.policy(), order.forceFetch(),
              order.hintedHash(), order.requestedAt());
          return blocking(() -> sync.run(request, lastFetched.get(sourceId)))
              .onSuccess(result -> afterSync(request, result, order.announce()))
              .onFailure(e -> {
                GitFailure failure = e instanceof GitFailure f ? f : GitFailure.classify("sync", scope.policy().url(), e);
                LOG.error("scope_id={} source_id={} sync failed: {}", scopeId, sourceId, failure.getMessage());
                publishSynced(scopeId, sourceId, "error", null, null, failure.getMessage());
              })
              .<Void>mapEmpty();
        });
  }

  private Future<Scope> currentScope(String scopeId) {
    return askScope(scopeId, false).map(told -> told == null ? null : told.scope());
  }

  /** The scope for a bundle: as {@link #currentScope}, with its slot in the served bundles (DESIGN §18). */
  private Future<BundleService.ServingScope> servingScope(String scopeId) {
    return askScope(scopeId, true);
  }

  /**
   * The scope as stored now, or null when there is none. For a bundle ({@code serving}) this node's
   * scope verticle is asked, since the slot it opens is in this node's served bundles; a sync may
   * ask any node's.
   */
  private Future<BundleService.ServingScope> askScope(String scopeId, boolean serving) {
    return vertx.eventBus().<JsonObject>request(Addresses.FETCHER_SCOPE,
            new JsonObject().put("scope_id", scopeId).put("serving", serving),
            serving ? Delivery.local() : new DeliveryOptions())
        .map(reply -> new BundleService.ServingScope(storedScopes.parse(reply.body().getJsonObject("scope")),
            reply.body().getLong("served_generation", 0L)))
        .recover(e -> Failures.statusOf(e) == Failures.NOT_FOUND
            ? Future.succeededFuture(null)
            : Future.failedFuture(e));
  }

  private void afterSync(SyncRequest request, SyncResult result, boolean announce) {
    if (result.fetchedAt() != null) {
      lastFetched.put(request.sourceId(), result.fetchedAt());
    }
    bundles.recordHeads(request.sourceId(), result.remoteHeads());
    freshness.synced(request.scopeId(), clock.millis());
    if (result.cloned()) {
      clonedSources.add(request.sourceId());
    }
    if (result.policyChanged() && announce) {
      String oldHash = result.oldCommit() == null ? result.newCommit() : result.oldCommit();
      JsonArray dirs = new JsonArray(List.copyOf(result.changedDirectories()));
      JsonArray topics = new JsonArray(result.changedDirectories().stream().map(d -> "policy:" + d).toList());
      JsonObject update = new JsonObject()
          .put("scope_id", request.scopeId())
          .put("old_policy_hash", oldHash)
          .put("new_policy_hash", result.newCommit())
          .put("changed_directories", dirs)
          .put("topics", topics);
      LOG.info("scope_id={} policy updated {} -> {} in {}", request.scopeId(), oldHash, result.newCommit(), dirs);
      metrics.policyUpdate();
      vertx.eventBus().publish(Addresses.POLICY_UPDATED, update);
      vertx.eventBus().publish(Addresses.policyUpdated(request.scopeId()), update);
    }
    publishSynced(request.scopeId(), request.sourceId(), "ok", result.newCommit(), result, null);
  }

  private void publishSynced(String scopeId, String sourceId, String outcome, String commit, SyncResult result,
      String error) {
    vertx.eventBus().publish(Addresses.FETCHER_SYNCED, new JsonObject()
        .put("node", ClusterView.of(vertx).nodeId())
        .put("scope_id", scopeId)
        .put("source_id", sourceId)
        .put("outcome", outcome)
        .put("commit", commit)
        .put("cloned", result != null && result.cloned())
        .put("fetched", result != null && !result.cloned() && result.fetchedAt() != null)
        .put("error", error));
  }

  // --- delete ----------------------------------------------------------------------------

  private void onDelete(Message<JsonObject> message) {
    String scopeId = message.body().getString("scope_id");
    String sourceId = message.body().getString("source_id");
    if (scopeId == null || sourceId == null || !SourceId.SHAPE.matcher(sourceId).matches()) {
      LOG.warn("ignoring a delete message without a valid scope_id and source_id");
      return;
    }
    freshness.forget(scopeId);
    queues.submit(sourceId, () -> blocking(() -> {
      sync.deleteScopeRef(sourceId, scopeId);
      return null;
    })
        // Asked now, inside the queue, not when the delete arrived: of two concurrent
        // deletes of the last two siblings, the later job always sees no sibling left.
        .compose(ignored -> sourceInUse(sourceId))
        .compose(inUse -> inUse ? Future.succeededFuture(false) : purge(sourceId))
        .onComplete(ar -> {
          if (ar.failed()) {
            LOG.error("scope_id={} source_id={} delete failed: {}", scopeId, sourceId, ar.cause().toString());
          }
          vertx.eventBus().publish(Addresses.FETCHER_DELETED, new JsonObject()
              .put("node", ClusterView.of(vertx).nodeId())
              .put("scope_id", scopeId)
              .put("source_id", sourceId)
              .put("purged", ar.succeeded() && ar.result())
              .put("error", ar.failed() ? ar.cause().getMessage() : null));
        })
        .mapEmpty());
  }

  private Future<Boolean> sourceInUse(String sourceId) {
    return vertx.eventBus()
        .<JsonObject>request(Addresses.FETCHER_SOURCE_IN_USE, new JsonObject().put("source_id", sourceId))
        .map(reply -> reply.body().getBoolean("in_use"));
  }

  /** Releases everything held for a source no scope uses any more. */
  /**
   * Releases everything held for a source no scope uses any more.
   *
   * @return whether anything was held (several deletes of one source's scopes can each
   *     find it unused; only the first one has something to release)
   */
  private Future<Boolean> purge(String sourceId) {
    boolean held = lastFetched.remove(sourceId) != null;
    held |= bundles.dropSource(sourceId);
    boolean heldBefore = held;
    return blocking(() -> {
      boolean released = heldBefore | handles.drop(sourceId);
      Path dir = clones.of(sourceId);
      released |= Files.exists(dir);
      CloneDirectories.deleteTree(dir);
      // A bundle read that opened the repository while it was being deleted is dropped too.
      handles.drop(sourceId);
      clonedSources.remove(sourceId);
      if (released) {
        LOG.info("source_id={} purged: no scope uses it", sourceId);
      }
      return released;
    });
  }

  // --- bundles ---------------------------------------------------------------------------

  private void onBundle(Message<JsonObject> message) {
    JsonObject body = message.body();
    BundleService.Format format = "tar".equals(body.getString("format"))
        ? BundleService.Format.TAR
        : BundleService.Format.JSON;
    List<String> ifNoneMatch = body.getJsonArray("if_none_match", new JsonArray()).stream()
        .map(String::valueOf).toList();
    List<String> paths = body.getJsonArray("paths", new JsonArray()).stream().map(String::valueOf).toList();
    BundleService.Query query = new BundleService.Query(body.getString("scope_id"), body.getString("base_hash"),
        format, ifNoneMatch, paths);
    bundles.answer(query)
        .onSuccess(reply -> message.reply(reply.body() == null ? Buffer.buffer() : reply.body(),
            new DeliveryOptions()
                .addHeader("status", String.valueOf(reply.status()))
                .addHeader("etag", reply.etag())
                .addHeader("scope_id", reply.scopeId())
                .addHeader("commit", reply.commit())
                .addHeader("content_type", format.contentType)))
        .onFailure(e -> Failures.reply(message, e));
  }

  // --- metrics ---------------------------------------------------------------------------

  private void registerGauges() {
    metrics.gauge(ServerMetrics.REPOSITORIES_OPEN, "open Repository handles", handles::size);
    metrics.gauge(ServerMetrics.LAST_FETCHED_ENTRIES, "sources with a last-fetched time", lastFetched::size);
    metrics.gauge(ServerMetrics.SOURCE_QUEUES, "sources with git work pending", queues::size);
    metrics.gauge(ServerMetrics.SOURCE_QUEUE_JOBS, "git jobs pending or running", queues::jobs);
    metrics.gauge(ServerMetrics.CLONE_DIRS, "directories under git_sources", this::cloneDirCount);
    metrics.gauge(ServerMetrics.BUNDLE_CACHE_BYTES, "bytes of cached bundles", bundleCache::bytes);
    metrics.gauge(ServerMetrics.CACHED_BUNDLES, "cached bundles", bundleCache::size);
    metrics.gauge(ServerMetrics.SERVED_BUNDLES, "bundles the HTTP edge answers from the served-bundle index", served::answers);
    metrics.gauge(ServerMetrics.SCOPE_SYNC_AGE + "_max", "seconds since the stalest scope last synced",
        () -> freshness.maxAgeSeconds(clock.millis()));
    for (long seconds : ServerMetrics.AGE_BUCKETS) {
      metrics.gauge(ServerMetrics.SCOPES_SYNCED_WITHIN, "scopes whose last successful sync is this recent",
          "seconds", String.valueOf(seconds), () -> freshness.syncedWithin(seconds, clock.millis()));
    }
    metrics.gauge(ServerMetrics.SCOPES_SYNCED_WITHIN, "scopes whose last successful sync is this recent",
        "seconds", "+Inf", freshness::size);
  }

  /** Lists git_sources (blocking): once, at start, before any clone of ours can run; purges and clones keep the count after that. */
  private void listCloneDirs() throws java.io.IOException {
    CloneDirectories.Listing listing = clones.list();
    clonedSources.clear();
    clonedSources.addAll(listing.sources());
    otherDirs = listing.others();
  }

  private int cloneDirCount() {
    return otherDirs + clonedSources.size();
  }

  // --- stats -----------------------------------------------------------------------------

  private void onStats(Message<JsonObject> message) {
    int queueCount = queues.size();
    int lastFetchedCount = lastFetched.size();
    int cachedBundles = bundleCache.size();
    message.reply(new JsonObject()
        .put(StatsFields.REPOS, handles.size())
        .put(StatsFields.LAST_FETCHED, lastFetchedCount)
        .put(StatsFields.SOURCE_QUEUES, queueCount)
        .put(StatsFields.CLONE_DIRS, cloneDirCount())
        .put(StatsFields.CACHED_BUNDLES, cachedBundles)
        .put(StatsFields.SERVED_BUNDLES, served.answers()));
  }
}
