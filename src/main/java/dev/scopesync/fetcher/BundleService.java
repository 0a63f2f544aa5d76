package dev.scopesync.fetcher;

import dev.scopesync.bundle.BundleFilter;
import dev.scopesync.bundle.BundleMaker;
import dev.scopesync.bundle.OpaBundleWriter;
import dev.scopesync.bundle.PolicyBundle;
import dev.scopesync.bus.BundleQuery;
import dev.scopesync.bus.BundleReply;
import dev.scopesync.bus.Failures;
import dev.scopesync.bus.ScopeAnswer;
import dev.scopesync.digest.Sha256;
import dev.scopesync.git.CloneDirectories;
import dev.scopesync.git.RemoteHeads;
import dev.scopesync.git.RepositoryHandles;
import dev.scopesync.git.SourceSync;
import dev.scopesync.metrics.ServerMetrics;
import dev.scopesync.model.GitPolicySource;
import dev.scopesync.model.Scope;
import dev.scopesync.model.SourceId;
import dev.scopesync.serving.DirectBytes;
import dev.scopesync.serving.ServedAnswer;
import dev.scopesync.serving.ServedBundles;
import dev.scopesync.serving.SourceVersion;
import dev.scopesync.signing.BundleSigner;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevTree;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Answers bundle requests (DESIGN §5, §8b): resolves the scope (or the {@code default} scope),
 * finds the commit its branch is at, and serves the bundle from the cache or builds it on the
 * bundle pool. Bundles are immutable per (commit, base, filter, format), so the ETag names exactly
 * those and a cached entry is never stale.
 *
 * <p>Runs on the fetcher's context; only the builds and ref reads go to workers. Builds run outside
 * the source queues, so serving never waits behind a slow fetch: JGit reads objects safely while a
 * fetch adds packs, and a lease keeps the repository open even if the source is purged meanwhile.
 */
final class BundleService {
  static final String DEFAULT_SCOPE = "default";

  private final GitPool git;
  private final Function<String, Future<ScopeAnswer>> currentScope;
  private final RepositoryHandles handles;
  private final CloneDirectories clones;
  private final BundleCache cache;
  private final int shards;
  private final ServerMetrics metrics;

  /** Signs OPA bundles; null when signing is off. */
  private final BundleSigner signer;

  /** sourceId → branch → commit, as the last sync left them. Dropped with the source. */
  private final Map<String, Map<String, String>> heads = new HashMap<>();

  /**
   * sourceId → the version of {@link #heads} answers are published at; marked stale when a ref
   * moves.
   */
  private final Map<String, SourceVersion> versions = new HashMap<>();

  /**
   * The node's served bundles (DESIGN §18): what this service built or had, for the edge to send.
   */
  private final ServedBundles served;

  /** Builds in flight, so concurrent requests for one bundle build it once. */
  private final Map<String, Future<Buffer>> building = new HashMap<>();

  /**
   * Counts source drops. A build or ref read that began before a drop must not put its source back
   * into the cache or the heads (that would leak a purged source's state).
   */
  private long drops;

  BundleService(
      GitPool git,
      Function<String, Future<ScopeAnswer>> currentScope,
      RepositoryHandles handles,
      CloneDirectories clones,
      BundleCache cache,
      int shards,
      ServerMetrics metrics,
      BundleSigner signer,
      ServedBundles served) {
    this.served = served;
    this.metrics = metrics;
    this.signer = signer;
    this.git = git;
    this.currentScope = currentScope;
    this.handles = handles;
    this.clones = clones;
    this.cache = cache;
    this.shards = shards;
  }

  /**
   * Records the refs a sync left. When one that answers may depend on moved (or went), the answers
   * published at the old version stop being served now, before the change is announced.
   */
  void recordHeads(String sourceId, Map<String, String> remoteHeads) {
    Map<String, String> previous = heads.put(sourceId, new HashMap<>(remoteHeads));
    if (previous != null
        && previous.entrySet().stream()
            .anyMatch(e -> !e.getValue().equals(remoteHeads.get(e.getKey())))) {
      SourceVersion stale = versions.remove(sourceId);
      if (stale != null) {
        stale.markStale();
      }
    }
  }

  /**
   * This node now answers more sources from its own clones (a clone made, an acquisition ended, a
   * new view): the edge stops asking the peers that answered for it before.
   */
  void readyChanged() {
    served.forgetPeers();
  }

  /** Forgets a source's heads, cached and served bundles; answers whether there were any. */
  boolean dropSource(String sourceId) {
    drops++;
    boolean held = heads.remove(sourceId) != null;
    SourceVersion version = versions.remove(sourceId);
    if (version != null) {
      version.markStale();
    }
    served.dropSource(sourceId);
    return cache.dropSource(sourceId) | held;
  }

  Future<BundleReply> answer(BundleQuery query) {
    return resolve(query.scopeId()).compose(told -> answer(query, told));
  }

  /** The source id of a resolved scope. */
  String sourceOf(ScopeAnswer told) {
    return SourceId.of(told.scope().policy(), shards);
  }

  /** Answers a query for a scope already resolved ({@link #resolve}). */
  Future<BundleReply> answer(BundleQuery query, ScopeAnswer told) {
    Scope scope = told.scope();
    String sourceId = sourceOf(told);
    GitPolicySource source = query.narrow(scope.policy());
    return headOf(sourceId, source.branch())
        .compose(
            commit -> {
              String etag = etagOf(commit, query, source, signer);
              SourceVersion version = versions.computeIfAbsent(sourceId, id -> new SourceVersion());
              boolean publishable = told.servedGeneration() != 0 && query.paths().isEmpty();
              if (query.ifNoneMatch().contains(etag) || query.ifNoneMatch().contains("*")) {
                if (publishable) {
                  // Answered at once; the bundle (built now if need be) goes to the served
                  // bundles, so the client's next request, and every other client's, is
                  // answered at the edge.
                  bundle(sourceId, etag, commit, query, source)
                      .onSuccess(
                          bytes -> publish(told, sourceId, version, query, commit, etag, bytes));
                }
                return Future.succeededFuture(
                    new BundleReply(
                        304, etag, scope.scopeId(), commit, query.format().contentType, null));
              }
              Future<Buffer> body = bundle(sourceId, etag, commit, query, source);
              if (publishable) {
                body.onSuccess(
                    bytes -> publish(told, sourceId, version, query, commit, etag, bytes));
              }
              return body.map(
                  bytes ->
                      new BundleReply(
                          200, etag, scope.scopeId(), commit, query.format().contentType, bytes));
            });
  }

  /**
   * Publishes an answer to the edge (only the scope's own bundle, not one narrowed by {@code
   * ?path=}): only bytes the cache keeps, since the cache's bound is the index's. The index itself
   * refuses a version that went stale meanwhile.
   */
  private void publish(
      ScopeAnswer told,
      String sourceId,
      SourceVersion version,
      BundleQuery query,
      String commit,
      String etag,
      Buffer bytes) {
    if (cache.get(sourceId, etag) != bytes) {
      return;
    }
    served.publish(
        told.servedGeneration(),
        sourceId,
        version,
        ServedBundles.key(query.format() == BundleQuery.Format.TAR, query.baseHash()),
        ServedAnswer.of(told.scope().scopeId(), commit, etag, bytes));
  }

  /** The scope, else the {@code default} scope, else 404 (OPAL answered 500 there). */
  Future<ScopeAnswer> resolve(String scopeId) {
    return lookup(scopeId)
        .compose(
            scope -> {
              if (scope != null) {
                return Future.succeededFuture(scope);
              }
              Future<ScopeAnswer> fallback =
                  scopeId.equals(DEFAULT_SCOPE)
                      ? Future.succeededFuture(null)
                      : lookup(DEFAULT_SCOPE);
              return fallback.compose(
                  d ->
                      d != null
                          ? Future.succeededFuture(d)
                          : Future.failedFuture(
                              Failures.of(Failures.NOT_FOUND, "No such scope: " + scopeId)));
            });
  }

  /**
   * The scope as its open slot in the served bundles holds it (told by the scope verticle, and
   * closed on every change), else as the scope verticle tells it now.
   */
  private Future<ScopeAnswer> lookup(String scopeId) {
    ScopeAnswer open = served.openScope(scopeId);
    return open != null ? Future.succeededFuture(open) : currentScope.apply(scopeId);
  }

  private Future<String> headOf(String sourceId, String branch) {
    Map<String, String> known = heads.get(sourceId);
    if (known != null && known.containsKey(branch)) {
      return Future.succeededFuture(known.get(branch));
    }
    // Not synced since this process started (or not at all): read the clone's ref.
    long dropsAtStart = drops;
    return git.run(
            () -> {
              if (!clones.cloned(sourceId)) {
                return null;
              }
              try (RepositoryHandles.Lease lease = handles.lease(sourceId, clones.of(sourceId))) {
                ObjectId head = RemoteHeads.of(lease.repository(), branch);
                return head == null ? null : head.name();
              }
            })
        .map(
            commit -> {
              if (commit == null || drops != dropsAtStart) {
                return commit;
              }
              // A sync that recorded this branch while the read was out knows a newer commit: it
              // wins.
              String recorded =
                  heads
                      .computeIfAbsent(sourceId, id -> new HashMap<>())
                      .putIfAbsent(branch, commit);
              return recorded != null ? recorded : commit;
            })
        .compose(
            commit ->
                commit != null
                    ? Future.succeededFuture(commit)
                    : Future.failedFuture(
                        Failures.of(
                            Failures.UNAVAILABLE,
                            "the policy repository is not cloned yet (or its branch '"
                                + branch
                                + "' is missing); retry shortly")));
  }

  private Future<Buffer> bundle(
      String sourceId, String etag, String commit, BundleQuery query, GitPolicySource source) {
    Buffer cached = cache.get(sourceId, etag);
    if (cached != null) {
      metrics.bundleCacheHit();
      return Future.succeededFuture(cached);
    }
    String key = sourceId + "/" + etag;
    Future<Buffer> inFlight = building.get(key);
    if (inFlight != null) {
      return inFlight;
    }
    BundleFilter filter = SourceSync.filterOf(source);
    long dropsAtStart = drops;
    Future<Buffer> build =
        git.run(() -> build(sourceId, commit, query, filter))
            .onSuccess(
                body -> {
                  if (drops == dropsAtStart || heads.containsKey(sourceId)) {
                    cache.put(sourceId, etag, body);
                  }
                })
            .onComplete(done -> building.remove(key));
    building.put(key, build);
    metrics.bundleBuilt();
    return build;
  }

  private Buffer build(String sourceId, String commit, BundleQuery query, BundleFilter filter)
      throws Exception {
    try (RepositoryHandles.Lease lease = handles.lease(sourceId, clones.of(sourceId))) {
      Repository repo = lease.repository();
      BundleMaker maker = new BundleMaker(repo, filter);
      ObjectId head = ObjectId.fromString(commit);
      requirePaths(repo, head, query.paths());
      if (query.format() == BundleQuery.Format.TAR) {
        // Signed here, once per build: the cache keeps the signed bytes.
        return DirectBytes.of(OpaBundleWriter.write(maker.full(head), signer));
      }
      ObjectId base = query.baseHash() == null ? null : commitIn(repo, query.baseHash());
      PolicyBundle bundle = base == null ? maker.full(head) : maker.diff(base, head);
      return DirectBytes.of(bundle.toJson());
    }
  }

  /** OPAL's check of {@code ?path=}: each path exists at the commit, else 404 naming it. */
  private static void requirePaths(Repository repo, ObjectId commit, List<String> paths)
      throws Exception {
    if (paths.isEmpty()) {
      return;
    }
    try (RevWalk walk = new RevWalk(repo)) {
      RevTree tree = walk.parseCommit(commit).getTree();
      for (String path : paths) {
        if (!path.equals(".")) {
          try (TreeWalk found = TreeWalk.forPath(repo, path, tree)) {
            if (found == null) {
              throw Failures.of(
                  Failures.NOT_FOUND,
                  "requested path " + path + " was not found in the policy repo!");
            }
          }
        }
      }
    }
  }

  /** The commit a (possibly abbreviated) hash names in the clone, or null when unknown. */
  private static ObjectId commitIn(Repository repo, String hash) {
    try (RevWalk walk = new RevWalk(repo)) {
      ObjectId id = repo.resolve(hash + "^{commit}");
      return id == null ? null : walk.parseCommit(id).getId();
    } catch (Exception e) {
      return null;
    }
  }

  /**
   * Names the commit, the base (JSON only), the format, the filter and (signed OPA bundles) the
   * signing key: all a bundle depends on, so a key change is never hidden behind a 304.
   */
  static String etagOf(
      String commit, BundleQuery query, GitPolicySource source, BundleSigner signer) {
    String filter = SourceSync.filterOf(source).fingerprint();
    if (query.format() == BundleQuery.Format.TAR && signer != null) {
      filter += "|signed:" + signer.fingerprint();
    }
    String base =
        query.format() == BundleQuery.Format.JSON && query.baseHash() != null
            ? "." + query.baseHash()
            : "";
    return "\""
        + commit
        + base
        + "-"
        + query.format().name().toLowerCase()
        + "-"
        + shortHash(filter)
        + "\"";
  }

  private static String shortHash(String text) {
    return HexFormat.of().formatHex(Sha256.of(text), 0, 6);
  }
}
