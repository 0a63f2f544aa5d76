package dev.scopesync.git;

import dev.scopesync.bundle.BundleFilter;
import dev.scopesync.bundle.BundleMaker;
import dev.scopesync.model.GitPolicySource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import org.eclipse.jgit.errors.AmbiguousObjectException;
import org.eclipse.jgit.errors.RevisionSyntaxException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevWalk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sync of one scope against its clone (DESIGN §3), as an ordered list of blocking steps: make
 * sure a valid clone exists ({@link CloneSource}), fetch when the rules say so ({@link
 * FetchSource}), compare the scope's ref with the remote branch, move the ref ({@link
 * MoveScopeRef}). The first step that fails ends the sync. Runs on a git worker inside the source's
 * queue, so nothing else touches the clone meanwhile.
 */
public final class SourceSync {
  private static final Logger LOG = LoggerFactory.getLogger(SourceSync.class);

  private final RepositoryHandles handles;
  private final CloneDirectories clones;
  private final Clock clock;
  private final int timeoutSeconds;
  private final BooleanSupplier stopping;
  private final GitOperationListener listener;
  private final Path sshDirectory;

  private final ScopeRefs refs;

  /** A sync, in order; each step reads and writes the {@link Run}. */
  private final List<Step> steps =
      List.of(
          this::ensureClone,
          this::openClone,
          this::fetchWhenDue,
          this::readBranch,
          this::moveScopeRef);

  /**
   * @param stopping true once the server is shutting down: running clones and fetches give up
   * @param sshDirectory where ssh remotes' host keys are looked up ({@code known_hosts})
   */
  public SourceSync(
      RepositoryHandles handles,
      CloneDirectories clones,
      Clock clock,
      int timeoutSeconds,
      BooleanSupplier stopping,
      GitOperationListener listener,
      Path sshDirectory) {
    this.listener = listener;
    this.sshDirectory = sshDirectory;
    this.handles = handles;
    this.clones = clones;
    this.clock = clock;
    this.timeoutSeconds = timeoutSeconds;
    this.stopping = stopping;
    this.refs = new ScopeRefs(handles, clones);
  }

  /** The scope refs of the clones this syncs, read and written outside a sync. */
  public ScopeRefs refs() {
    return refs;
  }

  @FunctionalInterface
  private interface Step {
    void run(Run run) throws GitFailure, IOException;
  }

  /** One sync's state: what the steps found so far. Closing it returns the clone's lease. */
  private static final class Run implements AutoCloseable {
    final SyncRequest request;
    final Instant lastFetched;
    final Path dir;
    boolean cloned;
    Instant fetchedAt;
    RepositoryHandles.Lease lease;
    ObjectId head;
    ObjectId old;
    SortedSet<String> changed;

    Run(SyncRequest request, Instant lastFetched, Path dir) {
      this.request = request;
      this.lastFetched = lastFetched;
      this.dir = dir;
    }

    Repository repo() {
      return lease.repository();
    }

    GitPolicySource source() {
      return request.source();
    }

    @Override
    public void close() {
      if (lease != null) {
        lease.close();
      }
    }
  }

  /**
   * @param lastFetched when this source was last fetched successfully, or null
   */
  public SyncResult run(SyncRequest request, Instant lastFetched) throws GitFailure, IOException {
    return run(request, lastFetched, true);
  }

  /**
   * @param moveRef false on a node that does not announce the source's changes (a sharded cluster's
   *     co-owner or holder, SHARDING.md §3.5): the scope's ref stays at the last announced commit,
   *     which {@link #follow} sets, and the result reports no change
   */
  public SyncResult run(SyncRequest request, Instant lastFetched, boolean moveRef)
      throws GitFailure, IOException {
    try (Run run = new Run(request, lastFetched, clones.of(request.sourceId()))) {
      for (Step step : moveRef ? steps : steps.subList(0, steps.size() - 1)) {
        step.run(run);
      }
      if (!moveRef) {
        run.changed = new TreeSet<>();
      }
      return new SyncResult(
          run.cloned,
          run.fetchedAt,
          run.old == null ? null : run.old.name(),
          run.head.name(),
          run.changed,
          new RemoteHeads(run.repo()).call().hashes());
    }
  }

  private void ensureClone(Run run) throws GitFailure, IOException {
    if (usableClone(run.request.sourceId(), run.dir, run.source().url())) {
      return;
    }
    GitPolicySource source = run.source();
    LOG.info(
        "source_id={} cloning {} (branch {})",
        run.request.sourceId(),
        source.url(),
        source.branch());
    remote(
        run,
        "clone",
        () ->
            configured(new CloneSource(clones, run.request.sourceId(), source.url()), source)
                .setBranch(source.branch())
                .setScopeRef(ScopeRef.of(run.request.scopeId()))
                .call());
    run.cloned = true;
  }

  private void openClone(Run run) throws IOException {
    run.lease = handles.lease(run.request.sourceId(), run.dir);
  }

  private void fetchWhenDue(Run run) throws GitFailure, IOException {
    if (!run.cloned && shouldFetch(run.repo(), run.request, run.lastFetched)) {
      remote(run, "fetch", () -> configured(new FetchSource(run.repo()), run.source()).call());
    }
  }

  private void readBranch(Run run) throws GitFailure, IOException {
    GitPolicySource source = run.source();
    run.head = RemoteHeads.of(run.repo(), source.branch());
    if (run.head == null) {
      throw new GitFailure(
          GitFailure.Kind.NOT_FOUND,
          "branch '" + source.branch() + "' not found on remote " + source.url(),
          null);
    }
    // A fresh clone already holds the scope's ref at the branch (CloneSource): the scope saw
    // nothing before.
    Ref previous = run.cloned ? null : run.repo().exactRef(ScopeRef.of(run.request.scopeId()));
    run.old = previous == null ? null : previous.getObjectId();
  }

  private void moveScopeRef(Run run) throws IOException {
    run.changed = changedDirectories(run.repo(), run.source(), run.old, run.head);
    if (!run.cloned && !run.head.equals(run.old)) {
      new MoveScopeRef(run.repo(), run.request.scopeId()).setTarget(run.head).call();
    }
  }

  @FunctionalInterface
  private interface RemoteStep {
    void call() throws GitFailure, IOException;
  }

  /**
   * Runs a clone or fetch and does its bookkeeping, for every outcome: the listener hears it, and a
   * success is the run's new {@code fetchedAt}.
   */
  private void remote(Run run, String op, RemoteStep step) throws GitFailure, IOException {
    long started = System.nanoTime();
    String outcome = GitFailure.Kind.ERROR.label();
    try {
      step.call();
      outcome = "ok";
      run.fetchedAt = clock.instant();
    } catch (GitFailure failure) {
      outcome = failure.kind().label();
      throw failure;
    } finally {
      listener.finished(op, outcome, Duration.ofNanos(System.nanoTime() - started));
    }
  }

  private <C extends RemoteCommand<C>> C configured(C command, GitPolicySource source) {
    return command
        .setAuth(source.auth())
        .setTimeout(timeoutSeconds)
        .setSshDirectory(sshDirectory)
        .setStopping(stopping);
  }

  /** A clone directory we can use: a git repository one of whose remotes has the url. */
  private boolean usableClone(String sourceId, Path dir, String url) throws IOException {
    if (!Files.exists(dir)) {
      return false;
    }
    if (Files.isDirectory(dir.resolve(".git"))) {
      try (RepositoryHandles.Lease lease = handles.lease(sourceId, dir)) {
        StoredConfig config = lease.repository().getConfig();
        for (String remote : config.getSubsections("remote")) {
          for (String remoteUrl : config.getStringList("remote", remote, "url")) {
            if (remoteUrl.equals(url)) {
              if (config.getBoolean("gc", null, "autoDetach", true)) {
                CloneSource.ownGc(config); // a clone made by OPAL or an older scopesync
                config.save();
              }
              return true;
            }
          }
        }
        LOG.warn(
            "source_id={} clone at {} has no remote with url {}: recloning", sourceId, dir, url);
      } catch (IOException | RuntimeException e) {
        LOG.warn(
            "source_id={} {} is not a usable git repository ({}): recloning",
            sourceId,
            dir,
            e.toString());
      }
    } else {
      LOG.warn("source_id={} {} is not a git repository: recloning", sourceId, dir);
    }
    handles.drop(sourceId);
    CloneDirectories.deleteTree(dir);
    return false;
  }

  private static boolean shouldFetch(Repository repo, SyncRequest request, Instant lastFetched)
      throws IOException {
    if (request.forceFetch()) {
      boolean fetchedSinceRequest =
          request.requestedAt() != null
              && lastFetched != null
              && lastFetched.isAfter(request.requestedAt());
      if (!fetchedSinceRequest) {
        return true;
      }
    }
    if (RemoteHeads.of(repo, request.source().branch()) == null) {
      return true;
    }
    if (request.hintedHash() != null) {
      return !hasCommit(repo, request.hintedHash());
    }
    return false;
  }

  private static boolean hasCommit(Repository repo, String hash) throws IOException {
    try {
      ObjectId id = repo.resolve(hash + "^{commit}");
      return id != null;
    } catch (RevisionSyntaxException | AmbiguousObjectException e) {
      return false;
    }
  }

  private static SortedSet<String> changedDirectories(
      Repository repo, GitPolicySource source, ObjectId old, ObjectId head) throws IOException {
    BundleMaker maker = new BundleMaker(repo, filterOf(source));
    if (old == null) {
      return maker.directoriesOf(head);
    }
    if (old.equals(head) || !exists(repo, old)) {
      return old.equals(head) ? new TreeSet<>() : maker.directoriesOf(head);
    }
    return maker.changedDirectories(old, head);
  }

  public static BundleFilter filterOf(GitPolicySource source) {
    return new BundleFilter(
        source.directories(),
        source.extensions(),
        source.manifest(),
        source.bundleIgnore() == null ? java.util.List.of() : source.bundleIgnore());
  }

  static boolean exists(Repository repo, ObjectId commit) {
    try (RevWalk walk = new RevWalk(repo)) {
      walk.parseCommit(commit);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Moves a scope's ref to a commit the source's primary announced (SHARDING.md §3.5, the request's
   * {@code hintedHash}), fetching first when the clone lacks it; a source without a clone here is
   * left alone (nothing is cloned for it), as is a ref when the commit cannot be had.
   *
   * @return what was found (no change is reported: nothing is announced from it), or null without a
   *     clone
   */
  public SyncResult follow(SyncRequest request, Instant lastFetched)
      throws GitFailure, IOException {
    Path dir = clones.of(request.sourceId());
    String hash = request.hintedHash();
    if (hash == null || !ObjectId.isId(hash) || !clones.cloned(request.sourceId())) {
      return null;
    }
    try (Run run = new Run(request, lastFetched, dir)) {
      openClone(run);
      fetchWhenDue(run);
      ObjectId announced = ObjectId.fromString(hash);
      Ref ref = run.repo().exactRef(ScopeRef.of(request.scopeId()));
      if (exists(run.repo(), announced) && (ref == null || !announced.equals(ref.getObjectId()))) {
        new MoveScopeRef(run.repo(), request.scopeId()).setTarget(announced).call();
      }
      return new SyncResult(
          false,
          run.fetchedAt,
          ref == null ? null : ref.getObjectId().name(),
          hash,
          new TreeSet<>(),
          new RemoteHeads(run.repo()).call().hashes());
    }
  }
}
