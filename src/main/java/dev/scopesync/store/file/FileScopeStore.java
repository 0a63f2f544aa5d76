package dev.scopesync.store.file;

import dev.scopesync.model.Scope;
import dev.scopesync.store.ScopeStore;
import dev.scopesync.store.StoreUnavailableException;
import dev.scopesync.validation.ScopeParser;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded store: one JSON file per scope under {@code store.dir}, named by the SHA-256 of the
 * scope id (ids may hold characters no file system accepts), plus a write-ahead journal ({@link
 * ScopeJournal}, {@code journal-<n>.log}) that makes writes durable with group commit.
 *
 * <p><b>Commit.</b> A put or delete is acknowledged once its journal record is forced to disk.
 * Writes that arrive while an append is being forced go together into the next one, so concurrent
 * writes share one {@code fdatasync} and throughput grows with concurrency. A single commit task
 * takes the waiting writes in arrival order, so the writes of one scope keep the order they were
 * asked in and each put answers exactly the version it replaced. Memory (what get and all answer)
 * changes once a write is durable.
 *
 * <p><b>Scope files.</b> Committed changes are then written to the scope files in the background,
 * several changes of one scope coalescing into one write: a temporary file renamed over the old
 * one, so a reader sees the old or the new scope, never part of one. These writes are not forced
 * one by one. The journal is cut into segments (sealed when {@link Tuning#segmentBytes} full or
 * {@link Tuning#sealMillis} old); a <em>checkpoint</em> forces the files a sealed segment's changes
 * went to, then the directory (renames and deletions), then deletes the segment. Checkpoints wait
 * {@link Tuning#checkpointDelayMillis} after the files were written, by when the kernel has usually
 * written them back and forcing them costs little; if the files fall more than {@link
 * Tuning#maxBacklog} changes behind, commits wait for them.
 *
 * <p><b>Open and close.</b> {@link #open} reads the scope files, then replays the journal's intact
 * records in order (a record torn by a crash was never acknowledged and is ignored); the scope
 * files it changed are rewritten in the background and the replayed segments checkpointed like any
 * other. So a crash at any point (kill -9 or power loss) loses nothing acknowledged, and no scope
 * is ever served half-written: a kill leaves whole files (old or new), and a file a power failure
 * caught renamed but not yet forced is rewritten from the journal, which keeps its record until the
 * file is forced. Leftover temporary files are removed at open. {@link #close} commits what was
 * asked, writes and forces every scope file, forces the directory and deletes the journal: a closed
 * store's directory holds only scope files.
 *
 * <p>Disk work runs on worker executors (one thread for commits, {@link #FILE_THREADS} for scope
 * files), never on the caller's thread; every future answers on the caller's context.
 *
 * <p><b>Parts.</b> This class opens, answers and closes; {@link GroupCommit} commits the writes and
 * keeps the committed scopes; {@link WriteBehind} writes the scope files and checkpoints, keeping
 * its books in {@link PendingChanges}; {@link FileStoreRecovery} reads the directory at open. The
 * store owns the two worker executors and releases them last.
 */
public final class FileScopeStore implements ScopeStore {
  private static final Logger LOG = LoggerFactory.getLogger(FileScopeStore.class);

  /** Threads writing and forcing scope files. */
  static final int FILE_THREADS = 8;

  /**
   * How the journal is cut and checkpointed.
   *
   * @param segmentBytes a segment this large is sealed
   * @param sealMillis a segment with records is sealed after at most this long
   * @param checkpointDelayMillis a sealed segment is checkpointed this long after its files were
   *     written (the kernel writes dirty pages back after 30 s by default)
   * @param maxWaitingSegments beyond this many sealed segments waiting for their checkpoint, the
   *     oldest are checkpointed at once (bounds the journal)
   * @param maxBacklog changes not yet in their files beyond which commits wait (bounds memory and
   *     the work left for {@link #close})
   */
  record Tuning(
      long segmentBytes,
      long sealMillis,
      long checkpointDelayMillis,
      int maxWaitingSegments,
      int maxBacklog) {
    static final Tuning DEFAULT = new Tuning(2L << 20, 10_000, 35_000, 32, 16_384);
  }

  private final Vertx vertx;
  private final Path dir;
  private final WorkerExecutor journalTasks;
  private final WorkerExecutor fileTasks;
  private final GroupCommit commits;
  private final WriteBehind files;
  private Future<Void> closing;

  /** Blocking (on the journal thread): takes over what open found, journal segments included. */
  private FileScopeStore(
      Vertx vertx,
      Path dir,
      Tuning tuning,
      WorkerExecutor journalTasks,
      WorkerExecutor fileTasks,
      FileStoreRecovery.Found found) {
    this.vertx = vertx;
    this.dir = dir;
    this.journalTasks = journalTasks;
    this.fileTasks = fileTasks;
    // The replayed segments become the first generation: the files they changed are rewritten
    // by the file steps, the others forced, and the segments deleted at its checkpoint.
    long newest = found.newestSegment();
    ScopeJournal journal = new ScopeJournal(dir, newest + 1);
    found.segments().forEach(journal::adopt);
    ParallelFileWork disk = new ParallelFileWork(dir, fileTasks, FILE_THREADS);
    this.files = new WriteBehind(vertx, dir, tuning, disk, journal, found, this::resumeCommits);
    this.commits =
        new GroupCommit(vertx, dir, tuning, journalTasks, files, journal, newest, found.scopes());
    LOG.info(
        "file store {}: {} scopes loaded{}",
        dir,
        found.scopes().size(),
        found.segments().isEmpty()
            ? ""
            : ", "
                + found.records()
                + " journal records replayed ("
                + found.toWrite().size()
                + " scope files to rewrite)");
  }

  /** Creates the directory if needed, loads every scope in it and replays the journal. */
  public static Future<ScopeStore> open(Vertx vertx, Path dir, ScopeParser parser) {
    return open(vertx, dir, parser, Tuning.DEFAULT).map(store -> store);
  }

  static Future<FileScopeStore> open(Vertx vertx, Path dir, ScopeParser parser, Tuning tuning) {
    WorkerExecutor journalTasks = vertx.createSharedWorkerExecutor("scopesync-store-journal", 1);
    WorkerExecutor fileTasks =
        vertx.createSharedWorkerExecutor("scopesync-store-file", FILE_THREADS);
    return journalTasks
        .executeBlocking(
            () ->
                new FileScopeStore(
                    vertx,
                    dir,
                    tuning,
                    journalTasks,
                    fileTasks,
                    FileStoreRecovery.read(dir, parser)),
            false)
        .onSuccess(
            s -> {
              s.commits.start();
              s.files.scheduleStep();
            })
        .onFailure(
            e -> {
              journalTasks.close();
              fileTasks.close();
            });
  }

  private void resumeCommits() {
    commits.resume();
  }

  // --- the ScopeStore API ---------------------------------------------------------------

  @Override
  public Future<Scope> get(String scopeId) {
    return Future.succeededFuture(commits.scope(scopeId));
  }

  @Override
  public Future<List<Scope>> all() {
    return Future.succeededFuture(commits.scopes());
  }

  @Override
  public Future<Scope> put(Scope scope) {
    byte[] body = FileStoreDisk.contentOf(scope);
    return commits.submit(scope.scopeId(), scope, body, ScopeJournal.putRecord(body));
  }

  @Override
  public Future<Scope> delete(String scopeId) {
    return commits.submit(scopeId, null, null, ScopeJournal.deleteRecord(scopeId));
  }

  @Override
  public Future<Void> ping() {
    // Not on the journal thread: a readiness check must never wait behind a commit round
    // (a start's /ready was seen waiting 30 s there now and then).
    return vertx
        .executeBlocking(
            () -> {
              if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
                throw new IOException("store directory " + dir + " is missing or not writable");
              }
              Throwable failure = files.failure();
              if (failure != null) {
                throw new IOException("cannot write scope files: " + failure.getMessage(), failure);
              }
              return null;
            },
            false)
        .<Void>mapEmpty()
        .recover(e -> unavailable(dir, e));
  }

  /**
   * Commits every write already asked for, writes and forces every scope file, forces the directory
   * and deletes the journal; then releases the executors. Writes asked for afterwards fail. If the
   * files cannot be written the journal stays, and the next open replays it.
   */
  @Override
  public synchronized Future<Void> close() {
    if (closing != null) {
      return closing;
    }
    files.closing();
    closing =
        commits
            .close()
            .compose(x -> files.drain())
            .transform(
                ar -> {
                  files.close();
                  Future<Void> released =
                      Future.all(journalTasks.close(), fileTasks.close()).mapEmpty();
                  return released.transform(
                      ignored ->
                          ar.succeeded()
                              ? Future.<Void>succeededFuture()
                              : FileScopeStore.<Void>unavailable(dir, ar.cause()));
                });
    return closing;
  }

  // --- test hooks -------------------------------------------------------------------------

  /** How many times the journal was forced (one per group of writes). */
  long journalForces() {
    return commits.journalForces();
  }

  /** Checkpoints completed (sealed segments folded into forced scope files and deleted). */
  long checkpoints() {
    return files.checkpoints();
  }

  // --- failures: one conversion for every part of the store --------------------------------

  static <T> Future<T> unavailable(Path dir, Throwable e) {
    return Future.failedFuture(unavailableException(dir, e));
  }

  static StoreUnavailableException unavailableException(Path dir, Throwable e) {
    return e instanceof StoreUnavailableException s
        ? s
        : new StoreUnavailableException("file store " + dir + ": " + e.getMessage(), e);
  }
}
