package dev.scopesync.fetcher;

import dev.scopesync.bus.BundleQuery;
import dev.scopesync.bus.BundleReply;
import dev.scopesync.bus.ClusterView;
import dev.scopesync.bus.DeleteOrder;
import dev.scopesync.bus.FetcherApi;
import dev.scopesync.bus.PeerFetchers;
import dev.scopesync.bus.ScopeQueries;
import dev.scopesync.bus.StatsFields;
import dev.scopesync.bus.SyncOrder;
import dev.scopesync.config.ServerConfig;
import dev.scopesync.config.ShardSettings;
import dev.scopesync.git.CloneDirectories;
import dev.scopesync.git.RepositoryHandles;
import dev.scopesync.git.SourceSync;
import dev.scopesync.git.transport.GitTransports;
import dev.scopesync.metrics.ServerMetrics;
import dev.scopesync.serving.ServedBundles;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns git (DESIGN §1): the open repository handles, the last-fetched times, the per-source queues
 * and the clone directories, and offers {@link FetcherApi} on the bus. Every JGit and file call
 * runs on the named git worker pool; the queues guarantee that two operations on one source never
 * overlap while different sources proceed in parallel. Syncs are run by {@link ScopeSyncs}, deletes
 * and the start sweep by {@link SourcePurges}, bundles by {@link BundleService}.
 */
public final class FetcherVerticle extends VerticleBase implements FetcherApi {
  private static final Logger LOG = LoggerFactory.getLogger(FetcherVerticle.class);
  public static final String GIT_POOL = "scopesync-git";

  /**
   * Bundle builds and ref reads: apart from clones and fetches, so hung remotes never stall
   * serving.
   */
  public static final String BUNDLE_POOL = "scopesync-bundle";

  /** How long shutdown waits for running git work before closing the handles anyway. */
  static final long SHUTDOWN_GRACE_SECONDS = 10;

  private final ServerConfig config;
  private final ServerMetrics metrics;
  private final Clock clock;
  private final RepositoryHandles.Opener opener;
  private final ScopeFreshness freshness = new ScopeFreshness();
  private final Map<String, Instant> lastFetched = new ConcurrentHashMap<>();
  private final SourceQueues queues = new SourceQueues();

  /**
   * The sources with a clone directory, kept as clones and purges happen: listed once at start,
   * never per operation (DESIGN §13).
   */
  private final Set<String> clonedSources = ConcurrentHashMap.newKeySet();

  /** Held sources being acquired for a new view: cloned or seeding, not ready to serve yet. */
  private final SourceCounts acquiring = new SourceCounts();

  /** Scopes being acquired whose refs are not seeded yet: nothing of theirs is announced. */
  private final SourceCounts unseeded = new SourceCounts();

  /** Directories under git_sources that are not clones of ours (found at start, left alone). */
  private volatile int otherDirs;

  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private RepositoryHandles handles;
  private CloneDirectories clones;
  private BundleCache bundleCache;
  private BundleService bundles;

  /**
   * The node's served bundles: this verticle publishes into them and empties them when it stops.
   */
  private ServedBundles served;

  private ScopeSyncs syncs;
  private SourcePurges purges;

  /** The fetcher members this node sees, and which of them own which source. */
  private FetcherMembers members;

  private SourceRoles roles;
  private BundleRouter router;
  private SourceAcquisitions acquisitions;
  private Rebalancer rebalancer;

  /** What the fetcher holds, each count a stats field and a gauge. */
  private List<FetcherGauges.Count> counts;

  private WorkerExecutor git;
  private WorkerExecutor bundlePool;

  /** Set when the verticle stops: running clones and fetches are cancelled at JGit's next check. */
  private volatile boolean stopping;

  public FetcherVerticle(ServerConfig config, ServerMetrics metrics) {
    this(config, metrics, Clock.systemUTC(), RepositoryHandles.FILE_OPENER);
  }

  /**
   * For tests: an injected clock (last-fetched times, freshness, backoff) and repository opener.
   */
  FetcherVerticle(
      ServerConfig config, ServerMetrics metrics, Clock clock, RepositoryHandles.Opener opener) {
    this.config = config;
    this.metrics = metrics;
    this.clock = clock;
    this.opener = opener;
  }

  @Override
  public Future<?> start() {
    // JGit's own git:// transport ignores read timeouts: a silent daemon would hang a worker
    // forever.
    GitTransports.install();
    handles = new RepositoryHandles(opener, config.maxOpenRepositories());
    clones = new CloneDirectories(config.gitSourcesDir().toAbsolutePath().normalize());
    SourceSync sync =
        new SourceSync(
            handles,
            clones,
            clock,
            config.gitTimeoutSeconds(),
            () -> stopping,
            metrics::gitOperation,
            config.gitSshDirectory());
    // Hung JGit calls are bounded by the transport timeout; the pool's own limit only
    // decides when Vert.x starts warning, so it sits just above that bound.
    git =
        vertx.createSharedWorkerExecutor(
            GIT_POOL,
            config.gitWorkerPoolSize(),
            config.gitTimeoutSeconds() * 2L + 30,
            TimeUnit.SECONDS);
    served = ServedBundles.of(vertx);
    bundleCache = new BundleCache(config.bundleCacheMaxBytes(), served::evicted);
    bundlePool = vertx.createSharedWorkerExecutor(BUNDLE_POOL, config.gitWorkerPoolSize());
    ScopeQueries scopes = ScopeQueries.onBus(vertx);
    bundles =
        new BundleService(
            this::onBundlePool,
            scopeId -> scopes.scope(scopeId, true),
            handles,
            clones,
            bundleCache,
            config.cloneShards(),
            metrics,
            config.bundleSigner(),
            served);
    ScopeSyncs.Parts parts =
        new ScopeSyncs.Parts(
            sync, this::blocking, queues, lastFetched, bundles, freshness, clonedSources);
    ShardSettings shard = config.shard();
    members = new FetcherMembers(vertx, config);
    roles = new SourceRoles(members, shard.replicas(), clonedSources, acquiring, unseeded);
    router = new BundleRouter(vertx, bundles, served, roles, metrics, shard.forwardTimeoutMillis());
    // Failures that need a person back off from one polling interval (or a minute, with polling
    // off).
    long interval =
        config.pollingIntervalSeconds() > 0 ? config.pollingIntervalSeconds() * 1000L : 60_000L;
    syncs =
        new ScopeSyncs(
            vertx,
            parts,
            scopes,
            metrics,
            clock,
            config.syncConcurrency(),
            config.cloneShards(),
            interval,
            roles);
    purges = new SourcePurges(vertx, parts, handles, clones, scopes, syncs);
    acquisitions =
        new SourceAcquisitions(
            vertx, parts, syncs, roles, members, acquiring, unseeded, shard.forwardTimeoutMillis());
    syncs.acquireWith(acquisitions::acquire, sourceId -> rebalancer.heldNotOwned(sourceId));
    rebalancer =
        new Rebalancer(
            vertx, shard, members, roles, clonedSources, purges, acquisitions, scopes, metrics);
    counts =
        FetcherGauges.counts(
            handles,
            lastFetched,
            queues,
            this::cloneDirCount,
            bundleCache,
            served,
            this::ownedSources);
    FetcherGauges.register(metrics, counts, queues, bundleCache, freshness, clock);
    // Before any consumer exists no clone of ours can be running: every scratch directory
    // is a crash's leftover.
    return blocking(
            () -> {
              int removed = clones.removeScratch();
              listCloneDirs();
              return removed;
            })
        .onSuccess(
            n -> {
              if (n > 0) {
                LOG.info("removed {} half-made clones left by an earlier run", n);
              }
            })
        .compose(
            n -> {
              // The first view's releases are found at once; its acquisitions are the boot sync's.
              // Every later view (or a thaw) offers every scope for acquisition.
              boolean[] first = {true};
              members.onAdopted(
                  () -> {
                    // Owners moved: the edge's direct peers are learnt again.
                    bundles.readyChanged();
                    if (first[0]) {
                      first[0] = false;
                      rebalancer.heldChecked();
                    } else {
                      rebalancer.viewChanged();
                    }
                  });
              return members.start().map(n);
            })
        .compose(
            n -> {
              consumers.addAll(FetcherApi.bind(vertx, this));
              if (roles.sharded()) {
                consumers.addAll(
                    PeerFetchers.bind(
                        vertx,
                        ClusterView.of(vertx).nodeId(),
                        new PeerService(router, acquisitions)));
                consumers.add(
                    new AnnouncementFollower(vertx, parts, scopes, roles, config.cloneShards())
                        .listen());
                rebalancer.start();
              }
              return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
            });
  }

  @Override
  public Future<?> stop() {
    // Cancel running git work (JGit checks between reads; a silent socket is bounded by
    // the read timeout), give the queues a bounded grace to drain, then close every
    // handle: shutdown never waits on a hung remote for longer than the grace.
    stopping = true;
    if (members != null) {
      members.stop();
    }
    if (rebalancer != null) {
      rebalancer.stop();
    }
    return Future.all(consumers.stream().map(MessageConsumer::unregister).toList())
        .transform(ignored -> queues.drained().timeout(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS))
        .onFailure(
            e ->
                LOG.warn(
                    "git work still running after {} s at shutdown: closing anyway",
                    SHUTDOWN_GRACE_SECONDS))
        // Not on the git pool: its threads may all be stuck in hung remotes.
        .transform(
            ignored ->
                vertx.executeBlocking(
                    () -> {
                      handles.closeAll();
                      return null;
                    }))
        .eventually(
            () -> {
              served.clear();
              return bundlePool.close();
            })
        .eventually(() -> git.close());
  }

  // --- FetcherApi -------------------------------------------------------------------------

  @Override
  public Future<Void> sync(SyncOrder order, boolean local) {
    return syncs.run(order, local);
  }

  @Override
  public void delete(DeleteOrder order) {
    purges.delete(order);
  }

  @Override
  public Future<Long> sweep() {
    return purges.sweep();
  }

  @Override
  public Future<BundleReply> bundle(BundleQuery query) {
    return router.answer(query);
  }

  @Override
  public Future<Void> acquire(SyncOrder chunk) {
    return acquisitions.offered(chunk);
  }

  @Override
  public Future<JsonObject> stats() {
    JsonObject stats =
        FetcherGauges.stats(counts)
            .put(StatsFields.SHARD_MEMBERS, members.placement().members().size())
            .put(StatsFields.SHARD_VIEW_VERSION, members.version())
            .put(StatsFields.RELEASING_SOURCES, rebalancer.releasing())
            .put(StatsFields.ACQUIRING_SOURCES, acquiring.size());
    if (members.frozen() != null) {
      stats.put(StatsFields.SHARD_FROZEN, members.frozen());
    }
    return Future.succeededFuture(stats);
  }

  /** The fetcher members this node sees (its view of the cluster's fetchers). */
  public FetcherMembers members() {
    return members;
  }

  /** The sources held here that this node owns in its view. */
  private int ownedSources() {
    if (members == null || members.placement() == null) {
      return 0; // the view is being read at start
    }
    int owned = 0;
    for (String sourceId : clonedSources) {
      if (roles.owns(sourceId)) {
        owned++;
      }
    }
    return owned;
  }

  /** The most scope syncs that were ever in flight at once (git.syncConcurrency bounds a batch). */
  public int peakSyncsInFlight() {
    return syncs.peakInFlight();
  }

  /** Scopes whose last sync failed (kept only while they fail; gone with the scope). */
  public int failingScopes() {
    return syncs.failing();
  }

  // --- workers ----------------------------------------------------------------------------

  private <T> Future<T> onBundlePool(Callable<T> work) {
    return bundlePool.executeBlocking(work, false);
  }

  private <T> Future<T> blocking(Callable<T> work) {
    // Unordered: the source queues already order what must be ordered; ordered=true would
    // serialise every source behind one another on this verticle's context.
    return git.executeBlocking(work, false);
  }

  /**
   * Lists git_sources (blocking): once, at start, before any clone of ours can run; purges and
   * clones keep the count after that.
   */
  private void listCloneDirs() throws IOException {
    CloneDirectories.Listing listing = clones.list();
    clonedSources.clear();
    clonedSources.addAll(listing.sources());
    otherDirs = listing.others();
  }

  private int cloneDirCount() {
    return otherDirs + clonedSources.size();
  }
}
