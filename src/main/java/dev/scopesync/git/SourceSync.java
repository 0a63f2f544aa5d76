package dev.scopesync.git;

import dev.scopesync.git.transport.GitCredentials;


import dev.scopesync.bundle.BundleFilter;
import dev.scopesync.bundle.BundleMaker;
import dev.scopesync.runtime.ElasticThreadPool;
import dev.scopesync.model.GitPolicySource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.ConfigConstants;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.util.FS;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sync of one scope against its clone (DESIGN §3), as an ordered list of blocking
 * steps: make sure a valid clone exists, fetch when the rules say so, compare the scope's
 * ref with the remote branch, move the ref. Runs on a git worker inside the source's
 * queue, so nothing else touches the clone meanwhile.
 */
public final class SourceSync {
  private static final Logger LOG = LoggerFactory.getLogger(SourceSync.class);
  static final String REMOTE = Constants.DEFAULT_REMOTE_NAME;
  /**
   * Closes the transport of a clone or fetch that outlives git.timeoutSeconds (one daemon
   * thread for all, there only while a clone or fetch runs or was cancelled lately).
   */
  private static final ScheduledThreadPoolExecutor WATCHDOG = watchdog();

  private final RepositoryHandles handles;
  private final CloneDirectories clones;
  private final Clock clock;
  private final int timeoutSeconds;
  private final BooleanSupplier stopping;
  private final GitOperationListener listener;
  private final Path sshDirectory;

  /**
   * @param stopping true once the server is shutting down: running clones and fetches give up
   * @param sshDirectory where ssh remotes' host keys are looked up ({@code known_hosts})
   */
  public SourceSync(RepositoryHandles handles, CloneDirectories clones, Clock clock, int timeoutSeconds,
      BooleanSupplier stopping, GitOperationListener listener, Path sshDirectory) {
    this.listener = listener;
    this.sshDirectory = sshDirectory;
    this.handles = handles;
    this.clones = clones;
    this.clock = clock;
    this.timeoutSeconds = timeoutSeconds;
    this.stopping = stopping;
  }

  /**
   * @param lastFetched when this source was last fetched successfully, or null
   */
  public SyncResult run(SyncRequest request, Instant lastFetched) throws GitFailure, IOException {
    GitPolicySource source = request.source();
    Path dir = clones.of(request.sourceId());
    boolean cloned = false;
    Instant fetchedAt = null;
    String scopeRef = ScopeRef.of(request.scopeId());
    if (!usableClone(request.sourceId(), dir, source.url())) {
      clone(request.sourceId(), dir, source, scopeRef);
      cloned = true;
      fetchedAt = clock.instant();
    }
    try (RepositoryHandles.Lease lease = handles.lease(request.sourceId(), dir)) {
      Repository repo = lease.repository();
      if (!cloned && shouldFetch(repo, request, lastFetched)) {
        fetch(repo, source, "fetch", null);
        fetchedAt = clock.instant();
      }
      ObjectId head = remoteHead(repo, source.branch());
      if (head == null) {
        throw new GitFailure(GitFailure.Kind.NOT_FOUND,
            "branch '" + source.branch() + "' not found on remote " + source.url(), null);
      }
      // A fresh clone already holds the scope's ref at the branch (FirstFetch): the scope saw nothing before.
      Ref previous = cloned ? null : repo.exactRef(scopeRef);
      ObjectId old = previous == null ? null : previous.getObjectId();
      SortedSet<String> changed = changedDirectories(repo, source, old, head);
      if (!cloned && !head.equals(old)) {
        moveRef(repo, scopeRef, head);
      }
      return new SyncResult(cloned, fetchedAt, old == null ? null : old.name(), head.name(), changed,
          remoteHeads(repo));
    }
  }

  private static ScheduledThreadPoolExecutor watchdog() {
    ScheduledThreadPoolExecutor watchdog = new ScheduledThreadPoolExecutor(1, r -> {
      Thread thread = new Thread(r, "scopesync-git-watchdog");
      thread.setDaemon(true);
      return thread;
    });
    // A cancelled deadline leaves the queue at once, so an idle watchdog thread can end.
    watchdog.setRemoveOnCancelPolicy(true);
    watchdog.setKeepAliveTime(ElasticThreadPool.idleKeepAlive().toNanos(), TimeUnit.NANOSECONDS);
    watchdog.allowCoreThreadTimeOut(true);
    return watchdog;
  }

  /**
   * JGit runs an automatic gc after every fetch, by default detached on a background
   * thread: in a scratch directory about to be moved, or a clone about to be purged, that
   * thread leaves stale {@code gc.log.lock} files and races the move. Run it in the
   * foreground instead, inside the source's queue, where nothing else touches the clone.
   */
  static void ownGc(Config config) {
    config.setBoolean("gc", null, "autoDetach", false);
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
                ownGc(config); // a clone made by OPAL or an older scopesync
                config.save();
              }
              return true;
            }
          }
        }
        LOG.warn("source_id={} clone at {} has no remote with url {}: recloning", sourceId, dir, url);
      } catch (IOException | RuntimeException e) {
        LOG.warn("source_id={} {} is not a usable git repository ({}): recloning", sourceId, dir, e.toString());
      }
    } else {
      LOG.warn("source_id={} {} is not a git repository: recloning", sourceId, dir);
    }
    handles.drop(sourceId);
    CloneDirectories.deleteTree(dir);
    return false;
  }

  /**
   * Clones into a scratch directory and moves it into place, so a crash never leaves half
   * a clone. A clone here is an empty repository ({@link #initClone}) + a fetch of every
   * branch, not JGit's CloneCommand: only objects and remote refs are needed (bundles are
   * read from git objects), a remote whose HEAD names a missing branch must still clone,
   * and the repository must be configured before its first fetch (see {@link #ownGc}).
   */
  private void clone(String sourceId, Path dir, GitPolicySource source, String scopeRef)
      throws GitFailure, IOException {
    Path scratch = clones.newScratch(sourceId);
    LOG.info("source_id={} cloning {} (branch {})", sourceId, source.url(), source.branch());
    try {
      try (Repository repo = initClone(scratch.resolve(Constants.DOT_GIT), source.url(), source.branch())) {
        fetch(repo, source, "clone", scopeRef);
      }
      try {
        Files.move(scratch, dir, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(scratch, dir);
      }
    } finally {
      CloneDirectories.deleteTree(scratch);
    }
  }

  /**
   * An empty repository ready for its first fetch, written directly in git's layout: HEAD
   * naming the branch, the config (remote {@value #REMOTE}, foreground gc, no reflogs),
   * {@code objects/pack} and {@code refs}. That is all git and JGit need to open it.
   *
   * <p>Not JGit's InitCommand, which in a scratch directory nobody else sees does needless
   * work: it reads {@code GIT_DIR} and friends from the environment, makes {@code hooks},
   * {@code branches}, {@code refs/tags} and {@code objects/info}, probes the file system with
   * temporary files and writes HEAD and the config twice each through lock files. Creating
   * files is what a clone mostly costs on a busy ext4 file system (the kernel searches for a
   * free inode each time): with this and without reflogs a first clone creates 17 files and
   * directories instead of 30. Reflogs are off because nothing reads them and each ref's
   * would add a file and its directories.
   */
  static Repository initClone(Path gitDir, String url, String branch) throws IOException {
    Files.createDirectories(gitDir.resolve(Constants.OBJECTS).resolve("pack"));
    Files.createDirectory(gitDir.resolve("refs"));
    Files.writeString(gitDir.resolve(Constants.HEAD), "ref: " + Constants.R_HEADS + branch + "\n");
    Config config = new Config();
    config.setInt(ConfigConstants.CONFIG_CORE_SECTION, null, ConfigConstants.CONFIG_KEY_REPO_FORMAT_VERSION, 0);
    config.setBoolean(ConfigConstants.CONFIG_CORE_SECTION, null, ConfigConstants.CONFIG_KEY_FILEMODE,
        FS.DETECTED.supportsExecute());
    config.setBoolean(ConfigConstants.CONFIG_CORE_SECTION, null, ConfigConstants.CONFIG_KEY_BARE, false);
    config.setBoolean(ConfigConstants.CONFIG_CORE_SECTION, null, ConfigConstants.CONFIG_KEY_LOGALLREFUPDATES, false);
    config.setString("remote", REMOTE, "url", url);
    config.setString("remote", REMOTE, "fetch", "+" + Constants.R_HEADS + "*:" + Constants.R_REMOTES + REMOTE + "/*");
    ownGc(config);
    Files.writeString(gitDir.resolve(Constants.CONFIG), config.toText(), StandardCharsets.UTF_8);
    return new FileRepositoryBuilder().setGitDir(gitDir.toFile()).setMustExist(true).build();
  }

  private static boolean shouldFetch(Repository repo, SyncRequest request, Instant lastFetched) throws IOException {
    if (request.forceFetch()) {
      boolean fetchedSinceRequest = request.requestedAt() != null && lastFetched != null
          && lastFetched.isAfter(request.requestedAt());
      if (!fetchedSinceRequest) {
        return true;
      }
    }
    if (remoteHead(repo, request.source().branch()) == null) {
      return true;
    }
    if (request.hintedHash() != null) {
      return !hasCommit(repo, request.hintedHash());
    }
    return false;
  }

  /**
   * Fetches every branch of the remote; {@code op} names it for the metrics. A clone's fetch is
   * {@link FirstFetch}, into the empty scratch repository, which also writes {@code cloneScopeRef}
   * (null for a later fetch).
   */
  private void fetch(Repository repo, GitPolicySource source, String op, String cloneScopeRef) throws GitFailure {
    OperationDeadline deadline = new OperationDeadline(timeoutSeconds, stopping);
    long started = System.nanoTime();
    // The transport is ours rather than FetchCommand's so that a watchdog can close it at
    // the deadline: that ends even a read that a remote feeds one byte at a time, which
    // neither the read timeout nor JGit's cancellation checks would stop.
    try (Transport transport = Transport.open(repo, REMOTE)) {
      transport.setTimeout(timeoutSeconds);
      // Branches are all a sync needs. With tags auto-followed, JGit opens a second
      // connection whenever the remote has tags the pack did not include.
      transport.setTagOpt(TagOpt.NO_TAGS);
      transport.setCredentialsProvider(GitCredentials.of(source.auth()));
      GitCredentials.sshOf(source.auth(), sshDirectory).configure(transport);
      ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> {
        deadline.expire();
        transport.close();
      }, timeoutSeconds, TimeUnit.SECONDS);
      try {
        if (cloneScopeRef != null) {
          FirstFetch.run(repo, transport, REMOTE, deadline, cloneScopeRef, source.branch());
        } else {
          transport.fetch(deadline, null);
        }
      } finally {
        watchdog.cancel(false);
      }
    } catch (Exception e) {
      throw reported(op, started, failure(op, source.url(), deadline, e));
    }
    listener.finished(op, "ok", Duration.ofNanos(System.nanoTime() - started));
  }

  private GitFailure reported(String op, long started, GitFailure failure) {
    listener.finished(op, failure.kind().label, Duration.ofNanos(System.nanoTime() - started));
    return failure;
  }

  private GitFailure failure(String operation, String url, OperationDeadline deadline, Exception e) {
    if (deadline.expired()) {
      return new GitFailure(GitFailure.Kind.TIMEOUT,
          operation + " of " + url + " failed (timeout): no result within git.timeoutSeconds=" + timeoutSeconds, e);
    }
    if (stopping.getAsBoolean()) {
      return new GitFailure(GitFailure.Kind.ERROR, operation + " of " + url + " cancelled: the server is stopping", e);
    }
    return GitFailure.classify(operation, url, e);
  }

  /** Every remote branch and its commit: what bundle requests serve until the next sync. */
  static Map<String, String> remoteHeads(Repository repo) throws IOException {
    String prefix = Constants.R_REMOTES + REMOTE + "/";
    Map<String, String> heads = new HashMap<>();
    for (Ref ref : repo.getRefDatabase().getRefsByPrefix(prefix)) {
      if (!ref.isSymbolic() && ref.getObjectId() != null) {
        heads.put(ref.getName().substring(prefix.length()), ref.getObjectId().name());
      }
    }
    return Map.copyOf(heads);
  }

  public static ObjectId remoteHead(Repository repo, String branch) throws IOException {
    Ref ref = repo.exactRef(Constants.R_REMOTES + REMOTE + "/" + branch);
    return ref == null ? null : ref.getObjectId();
  }

  private static boolean hasCommit(Repository repo, String hash) throws IOException {
    try {
      ObjectId id = repo.resolve(hash + "^{commit}");
      return id != null;
    } catch (org.eclipse.jgit.errors.RevisionSyntaxException | org.eclipse.jgit.errors.AmbiguousObjectException e) {
      return false;
    }
  }

  private static SortedSet<String> changedDirectories(Repository repo, GitPolicySource source, ObjectId old,
      ObjectId head) throws IOException {
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
    return new BundleFilter(source.directories(), source.extensions(), source.manifest(),
        source.bundleIgnore() == null ? java.util.List.of() : source.bundleIgnore());
  }

  private static boolean exists(Repository repo, ObjectId commit) {
    try (RevWalk walk = new RevWalk(repo)) {
      walk.parseCommit(commit);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void moveRef(Repository repo, String refName, ObjectId target) throws IOException {
    RefUpdate update = repo.updateRef(refName);
    update.setNewObjectId(target);
    update.setForceUpdate(true);
    RefUpdate.Result result = update.update();
    switch (result) {
      case NEW, FORCED, FAST_FORWARD, NO_CHANGE -> { }
      default -> throw new IOException("could not move " + refName + " to " + target.name() + ": " + result);
    }
  }

  /** Removes a scope's own ref from a clone; a missing clone or ref is fine. */
  public void deleteScopeRef(String sourceId, String scopeId) throws IOException {
    Path dir = clones.of(sourceId);
    if (!Files.isDirectory(dir.resolve(".git"))) {
      return;
    }
    try (RepositoryHandles.Lease lease = handles.lease(sourceId, dir)) {
      Repository repo = lease.repository();
      String refName = ScopeRef.of(scopeId);
      if (repo.exactRef(refName) == null) {
        return;
      }
      RefUpdate update = repo.updateRef(refName);
      update.setForceUpdate(true);
      RefUpdate.Result result = update.delete();
      if (result != RefUpdate.Result.FORCED && result != RefUpdate.Result.NO_CHANGE) {
        throw new IOException("could not delete " + refName + ": " + result);
      }
    }
  }
}
