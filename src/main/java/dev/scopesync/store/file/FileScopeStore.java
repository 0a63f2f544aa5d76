package dev.scopesync.store.file;

import dev.scopesync.store.StoreUnavailableException;

import dev.scopesync.validation.ScopeParser;

import dev.scopesync.model.Scope;
import dev.scopesync.store.ScopeStore;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded store: one JSON file per scope under {@code store.dir}, named by the SHA-256
 * of the scope id (ids may hold characters no file system accepts), plus a write-ahead
 * journal ({@link ScopeJournal}, {@code journal-<n>.log}) that makes writes durable with
 * group commit.
 *
 * <p><b>Commit.</b> A put or delete is acknowledged once its journal record is forced to
 * disk. Writes that arrive while an append is being forced go together into the next one,
 * so concurrent writes share one {@code fdatasync} and throughput grows with concurrency. A
 * single commit task takes the waiting writes in arrival order, so the writes of one scope
 * keep the order they were asked in and each put answers exactly the version it replaced.
 * Memory (what get and all answer) changes once a write is durable.
 *
 * <p><b>Scope files.</b> Committed changes are then written to the scope files in the
 * background, several changes of one scope coalescing into one write: a temporary file
 * renamed over the old one, so a reader sees the old or the new scope, never part of one.
 * These writes are not forced one by one. The journal is cut into segments (sealed when
 * {@link Tuning#segmentBytes} full or {@link Tuning#sealMillis} old); a <em>checkpoint</em>
 * forces the files a sealed segment's changes went to, then the directory (renames and
 * deletions), then deletes the segment. Checkpoints wait {@link Tuning#checkpointDelayMillis}
 * after the files were written, by when the kernel has usually written them back and
 * forcing them costs little; if the files fall more than {@link Tuning#maxBacklog} changes
 * behind, commits wait for them.
 *
 * <p><b>Open and close.</b> {@link #open} reads the scope files, then replays the journal's
 * intact records in order (a record torn by a crash was never acknowledged and is
 * ignored); the scope files it changed are rewritten in the background and the replayed
 * segments checkpointed like any other. So a crash at any point (kill -9 or power loss)
 * loses nothing acknowledged, and no scope is ever served half-written: a kill leaves
 * whole files (old or new), and a file a power failure caught renamed but not yet forced
 * is rewritten from the journal, which keeps its record until the file is forced.
 * Leftover temporary files are removed at open. {@link #close} commits what was asked,
 * writes and forces every scope file, forces the directory and deletes the journal: a
 * closed store's directory holds only scope files.
 *
 * <p>Disk work runs on worker executors (one thread for commits, {@link #FILE_THREADS}
 * for scope files), never on the caller's thread; every future answers on the caller's
 * context.
 */
public final class FileScopeStore implements ScopeStore {
  private static final Logger LOG = LoggerFactory.getLogger(FileScopeStore.class);
  /** At most this many writes per journal append (bounds one commit task). */
  private static final int MAX_BATCH = 8192;
  /** Scope files written, and files forced, per file step (bounds one step). */
  private static final int FILE_CHUNK = 1024;
  /** Threads writing and forcing scope files. */
  static final int FILE_THREADS = 8;
  private static final long RETRY_MILLIS = 1000;

  /**
   * How the journal is cut and checkpointed.
   *
   * @param segmentBytes a segment this large is sealed
   * @param sealMillis a segment with records is sealed after at most this long
   * @param checkpointDelayMillis a sealed segment is checkpointed this long after its
   *     files were written (the kernel writes dirty pages back after 30 s by default)
   * @param maxWaitingSegments beyond this many sealed segments waiting for their
   *     checkpoint, the oldest are checkpointed at once (bounds the journal)
   * @param maxBacklog changes not yet in their files beyond which commits wait (bounds
   *     memory and the work left for {@link #close})
   */
  record Tuning(long segmentBytes, long sealMillis, long checkpointDelayMillis, int maxWaitingSegments,
      int maxBacklog) {
    static final Tuning DEFAULT = new Tuning(2L << 20, 10_000, 35_000, 32, 16_384);
  }

  private final Vertx vertx;
  private final Path dir;
  private final Tuning tuning;
  private final WorkerExecutor journalTasks;
  private final WorkerExecutor fileTasks;
  private final ParallelFileWork fileWork;
  private final Map<String, Scope> scopes = new ConcurrentHashMap<>();

  // --- commits: the journal task --------------------------------------------------------
  private final ConcurrentLinkedQueue<Op> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean commitScheduled = new AtomicBoolean();
  private final Object journalLock = new Object();
  private ScopeJournal journal;
  private long sealedHandedOff;
  private volatile boolean closed;
  private Future<Void> closing;
  private long sealTimer = -1;

  // --- committed changes on their way to the scope files; guarded by pendingLock --------
  private final Object pendingLock = new Object();
  /** Oldest first; every one but the last is sealed. Checkpointed ones are removed. */
  private final ArrayDeque<Generation> generations = new ArrayDeque<>();
  /** Changes in the generations not yet written to their files. */
  private int pendingCount;
  /** A commit waits for the files to catch up. */
  private boolean commitDeferred;
  private boolean stepRunning;
  private boolean retryScheduled;
  private boolean wakeScheduled;
  private boolean filesClosed;
  /** Set by close: checkpoint everything now, then complete. */
  private Promise<Void> drainRequest;
  /** Scope ids whose files the checkpoint under way forces (null: none under way), how many are done, its last segment. */
  private List<String> forcing;
  private int forced;
  private long forcingThrough;
  private volatile Throwable fileFailure;
  private final AtomicLong checkpoints = new AtomicLong();

  /** A put (scope set) or delete (scope null) waiting for its commit. */
  private record Op(String scopeId, Scope scope, byte[] body, byte[] record, Context context, Promise<Scope> promise) {}

  /**
   * The committed changes of one journal segment (or of the segments replayed at open):
   * the file contents still to write by scope id (null: delete), the scope ids already written
   * (whose files the checkpoint forces), when the last was written, and the segment.
   */
  private static final class Generation {
    final LinkedHashMap<String, byte[]> changes = new LinkedHashMap<>();
    final List<String> written = new ArrayList<>();
    long lastWriteMillis;
    long sealedThrough;

    boolean sealed() {
      return sealedThrough > 0;
    }
  }

  private FileScopeStore(Vertx vertx, Path dir, Tuning tuning, WorkerExecutor journalTasks,
      WorkerExecutor fileTasks) {
    this.vertx = vertx;
    this.dir = dir;
    this.tuning = tuning;
    this.journalTasks = journalTasks;
    this.fileTasks = fileTasks;
    this.fileWork = new ParallelFileWork(fileTasks, FILE_THREADS);
  }

  /** Creates the directory if needed, loads every scope in it and replays the journal. */
  public static Future<ScopeStore> open(Vertx vertx, Path dir, ScopeParser parser) {
    return open(vertx, dir, parser, Tuning.DEFAULT).map(store -> store);
  }

  static Future<FileScopeStore> open(Vertx vertx, Path dir, ScopeParser parser, Tuning tuning) {
    WorkerExecutor journalTasks = vertx.createSharedWorkerExecutor("scopesync-store-journal", 1);
    WorkerExecutor fileTasks = vertx.createSharedWorkerExecutor("scopesync-store-file", FILE_THREADS);
    FileScopeStore store = new FileScopeStore(vertx, dir, tuning, journalTasks, fileTasks);
    return journalTasks.executeBlocking(() -> {
      store.load(parser);
      return store;
    }, false).onSuccess(s -> {
      s.startSealTimer();
      s.scheduleStep();
    }).onFailure(e -> {
      journalTasks.close();
      fileTasks.close();
    });
  }

  // --- the ScopeStore API ---------------------------------------------------------------

  @Override
  public Future<Scope> get(String scopeId) {
    return Future.succeededFuture(scopes.get(scopeId));
  }

  @Override
  public Future<List<Scope>> all() {
    return Future.succeededFuture(new ArrayList<>(scopes.values()));
  }

  @Override
  public Future<Scope> put(Scope scope) {
    byte[] body = scope.toStoredJson().encode().getBytes(StandardCharsets.UTF_8);
    return submit(scope.scopeId(), scope, body, ScopeJournal.putRecord(body));
  }

  @Override
  public Future<Scope> delete(String scopeId) {
    return submit(scopeId, null, null, ScopeJournal.deleteRecord(scopeId));
  }

  @Override
  public Future<Void> ping() {
    // Not on the journal thread: a readiness check must never wait behind a commit round
    // (a start's /ready was seen waiting 30 s there now and then).
    return vertx.executeBlocking(() -> {
      if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
        throw new IOException("store directory " + dir + " is missing or not writable");
      }
      Throwable failure = fileFailure;
      if (failure != null) {
        throw new IOException("cannot write scope files: " + failure.getMessage(), failure);
      }
      return null;
    }, false).<Void>mapEmpty().recover(this::unavailable);
  }

  /**
   * Commits every write already asked for, writes and forces every scope file, forces the
   * directory and deletes the journal; then releases the executors. Writes asked for
   * afterwards fail. If the files cannot be written the journal stays, and the next open
   * replays it.
   */
  @Override
  public synchronized Future<Void> close() {
    if (closing != null) {
      return closing;
    }
    closed = true;
    if (sealTimer >= 0) {
      vertx.cancelTimer(sealTimer);
    }
    closing = journalTasks.executeBlocking(() -> {
      synchronized (journalLock) {
        for (List<Op> batch = drain(); !batch.isEmpty(); batch = drain()) {
          commit(batch);
        }
        journal.seal();
        handOffSeals();
        journal.close();
      }
      return null;
    }, false).compose(x -> {
      Promise<Void> drained = Promise.promise();
      synchronized (pendingLock) {
        drainRequest = drained;
        retryScheduled = false;
      }
      scheduleStep();
      return drained.future();
    }).transform(ar -> {
      synchronized (pendingLock) {
        filesClosed = true;
      }
      Future<Void> released = Future.all(journalTasks.close(), fileTasks.close()).mapEmpty();
      return released.transform(ignored -> ar.succeeded()
          ? Future.<Void>succeededFuture()
          : this.<Void>unavailable(ar.cause()));
    });
    return closing;
  }

  // --- test hooks -------------------------------------------------------------------------

  /** How many times the journal was forced (one per group of writes). */
  long journalForces() {
    synchronized (journalLock) {
      return journal == null ? 0 : journal.forces();
    }
  }

  /** Checkpoints completed (sealed segments folded into forced scope files and deleted). */
  long checkpoints() {
    return checkpoints.get();
  }

  // --- commits ----------------------------------------------------------------------------

  private Future<Scope> submit(String scopeId, Scope scope, byte[] body, byte[] record) {
    if (closed) {
      return unavailable(new IOException("the store is closed"));
    }
    Promise<Scope> promise = Promise.promise();
    Op op = new Op(scopeId, scope, body, record, vertx.getOrCreateContext(), promise);
    queue.add(op);
    if (closed && queue.remove(op)) {
      // close() began between the check above and the add: it may have drained the queue already
      return unavailable(new IOException("the store is closed"));
    }
    scheduleCommit();
    return promise.future();
  }

  private void scheduleCommit() {
    if (commitScheduled.compareAndSet(false, true)) {
      journalTasks.executeBlocking(() -> {
        commitRound();
        return null;
      }, false).onFailure(e -> {
        // the executor is gone (closed): nothing will commit what is queued
        commitScheduled.set(false);
        complete(drain(), null, e);
      });
    }
  }

  /**
   * One group commit: every write waiting now (up to {@link #MAX_BATCH}), one append, one
   * force. Waits instead while the scope files are too far behind (or fails the writes if
   * the files cannot be written at all).
   */
  private void commitRound() {
    boolean deferred = false;
    try {
      synchronized (journalLock) {
        boolean backlogged;
        Throwable failing;
        synchronized (pendingLock) {
          backlogged = pendingCount >= tuning.maxBacklog();
          failing = fileFailure;
          if (backlogged && failing == null) {
            commitDeferred = true;
            deferred = true;
          }
        }
        if (!backlogged) {
          commit(drain());
        } else if (failing != null) {
          complete(drain(), null, new IOException(pendingCount + " changes wait for scope files that cannot be "
              + "written: " + failing.getMessage(), failing));
        }
      }
    } finally {
      commitScheduled.set(false);
    }
    if (deferred) {
      // the files may have caught up between the check above and now
      boolean wake;
      synchronized (pendingLock) {
        wake = pendingCount < tuning.maxBacklog() || fileFailure != null;
        if (wake) {
          commitDeferred = false;
        }
      }
      if (wake) {
        scheduleCommit();
      }
    } else if (!queue.isEmpty()) {
      scheduleCommit();
    }
  }

  private List<Op> drain() {
    List<Op> batch = new ArrayList<>();
    Op op;
    while (batch.size() < MAX_BATCH && (op = queue.poll()) != null) {
      batch.add(op);
    }
    return batch;
  }

  /** Appends and forces the batch, then updates memory, hands the changes to the file steps and answers. */
  private void commit(List<Op> batch) {
    if (batch.isEmpty()) {
      return;
    }
    // What each write replaces, as if they ran one after the other in arrival order.
    Map<String, Scope> after = new HashMap<>();
    Map<String, byte[]> files = new HashMap<>();
    Scope[] previous = new Scope[batch.size()];
    int bytes = 0;
    for (Op op : batch) {
      bytes += op.record().length;
    }
    ByteBuffer records = ByteBuffer.allocate(bytes);
    for (int i = 0; i < batch.size(); i++) {
      Op op = batch.get(i);
      previous[i] = after.containsKey(op.scopeId()) ? after.get(op.scopeId()) : scopes.get(op.scopeId());
      after.put(op.scopeId(), op.scope());
      files.put(op.scopeId(), op.body());
      records.put(op.record());
    }
    records.flip();
    try {
      journal.append(records);
    } catch (IOException | RuntimeException e) {
      LOG.error("file store {}: journal write failed, {} writes refused: {}", dir, batch.size(), e.toString());
      handOffSeals();
      complete(batch, null, e);
      return;
    }
    for (Map.Entry<String, Scope> change : after.entrySet()) {
      if (change.getValue() == null) {
        scopes.remove(change.getKey());
      } else {
        scopes.put(change.getKey(), change.getValue());
      }
    }
    synchronized (pendingLock) {
      Map<String, byte[]> changes = generations.getLast().changes;
      int before = changes.size();
      changes.putAll(files);
      pendingCount += changes.size() - before;
    }
    if (journal.size() >= tuning.segmentBytes()) {
      journal.seal();
    }
    handOffSeals();
    scheduleStep();
    complete(batch, previous, null);
  }

  /** Closes the open generation at each newly sealed segment. */
  private void handOffSeals() {
    long newest = journal.lastSealed();
    if (newest > sealedHandedOff) {
      sealedHandedOff = newest;
      synchronized (pendingLock) {
        generations.getLast().sealedThrough = newest;
        generations.addLast(new Generation());
      }
      scheduleStep();
    }
  }

  /** Answers each write on the context it was asked from (one task per context). */
  private void complete(List<Op> batch, Scope[] previous, Throwable failure) {
    Map<Context, List<Runnable>> byContext = new IdentityHashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      Op op = batch.get(i);
      Scope replaced = previous == null ? null : previous[i];
      Runnable answer = failure == null
          ? () -> op.promise().complete(replaced)
          : () -> op.promise().fail(unavailableException(failure));
      byContext.computeIfAbsent(op.context(), c -> new ArrayList<>()).add(answer);
    }
    byContext.forEach((context, answers) -> context.runOnContext(v -> answers.forEach(Runnable::run)));
  }

  private void startSealTimer() {
    sealTimer = vertx.setPeriodic(tuning.sealMillis(), id -> {
      if (closed) {
        return;
      }
      journalTasks.executeBlocking(() -> {
        synchronized (journalLock) {
          if (!closed && journal.size() > 0) {
            journal.seal();
            handOffSeals();
          }
        }
        return null;
      }, false);
    });
  }

  // --- scope files and checkpoints: the file steps ----------------------------------------

  /** Starts a file step unless one is running: steps run one at a time, each spread over the file threads. */
  private void scheduleStep() {
    synchronized (pendingLock) {
      if (stepRunning || retryScheduled || filesClosed) {
        return;
      }
      stepRunning = true;
    }
    Future<Boolean> step;
    try {
      step = fileStep();
    } catch (RuntimeException e) {
      step = Future.failedFuture(e);
    }
    step.onComplete(this::afterStep);
  }

  private void afterStep(AsyncResult<Boolean> result) {
    Throwable failure = result.failed() ? result.cause() : null;
    boolean more = failure != null || result.result();
    if (failure == null && fileFailure != null) {
      LOG.info("file store {}: scope files are written again", dir);
      fileFailure = null;
    } else if (failure != null) {
      if (fileFailure == null) {
        LOG.error("file store {}: cannot write scope files, retrying every {} ms (the journal keeps every "
            + "acknowledged write): {}", dir, RETRY_MILLIS, failure.toString());
      }
      fileFailure = failure;
    }
    Promise<Void> drained = null;
    boolean wakeCommits = false;
    long wakeIn = -1;
    synchronized (pendingLock) {
      stepRunning = false;
      if (failure != null) {
        retryScheduled = true;
      } else if (!more) {
        // changes committed, or close asked, while the step ran (their scheduleStep found it running)
        more = hasWorkNow();
      }
      if (drainRequest != null && (failure != null || !more)) {
        drained = drainRequest;
        drainRequest = null;
      }
      if (commitDeferred && (pendingCount < tuning.maxBacklog() || failure != null)) {
        commitDeferred = false;
        wakeCommits = true;
      }
      if (failure == null && !more && !wakeScheduled && drainRequest == null) {
        wakeIn = nextCheckpointInMillis();
        wakeScheduled = wakeIn >= 0;
      }
    }
    if (drained != null) {
      if (failure == null) {
        drained.complete();
      } else {
        drained.fail(failure);
      }
    }
    if (wakeCommits) {
      scheduleCommit();
    }
    if (failure != null) {
      if (!closed) {
        vertx.setTimer(RETRY_MILLIS, id -> {
          synchronized (pendingLock) {
            retryScheduled = false;
          }
          scheduleStep();
        });
      }
    } else if (more) {
      scheduleStep();
    } else if (wakeIn >= 0) {
      vertx.setTimer(Math.max(1, wakeIn), id -> {
        synchronized (pendingLock) {
          wakeScheduled = false;
        }
        scheduleStep();
      });
    }
  }

  /**
   * One bounded step: writes up to {@link #FILE_CHUNK} scope files of the oldest unwritten
   * changes and forces up to as many files of the checkpoint under way, spread over the
   * file threads; starts a checkpoint when sealed generations are written and due; ends it
   * (directory forced, segments deleted) once its files are forced. Answers whether there
   * is more to do right away.
   */
  private Future<Boolean> fileStep() {
    List<Map.Entry<String, byte[]>> writes = new ArrayList<>();
    Generation source = null;
    List<String> forces;
    boolean wakeCommits = false;
    synchronized (pendingLock) {
      startCheckpointIfDue();
      for (Generation generation : generations) {
        if (!generation.changes.isEmpty()) {
          // every older generation is written: nothing taken here can overtake an older change
          source = generation;
          break;
        }
      }
      if (source != null) {
        Iterator<Map.Entry<String, byte[]>> changes = source.changes.entrySet().iterator();
        while (changes.hasNext() && writes.size() < FILE_CHUNK) {
          writes.add(new AbstractMap.SimpleImmutableEntry<>(changes.next()));
          changes.remove();
        }
        pendingCount -= writes.size();
        if (commitDeferred && pendingCount < tuning.maxBacklog()) {
          // these writes are under way: waiting commits may go on
          commitDeferred = false;
          wakeCommits = true;
        }
      }
      forces = forcing == null ? List.of()
          : List.copyOf(forcing.subList(forced, Math.min(forced + FILE_CHUNK, forcing.size())));
    }
    if (wakeCommits) {
      scheduleCommit();
    }
    if (writes.isEmpty() && forces.isEmpty()) {
      return forcingDone() ? finishCheckpoint() : Future.succeededFuture(hasWorkNow());
    }
    Generation from = source;
    Future<ParallelFileWork.Outcome<Map.Entry<String, byte[]>, String>> written = fileWork.run(writes, change -> {
      writeScopeFile(change.getKey(), change.getValue());
      return change.getValue() == null ? null : change.getKey();
    });
    Future<ParallelFileWork.Outcome<String, String>> synced = fileWork.run(forces, scopeId -> {
      FileStoreDisk.forceFile(FileStoreDisk.fileOf(dir, scopeId));
      return scopeId;
    });
    return Future.all(written, synced).compose(both -> {
      ParallelFileWork.Outcome<Map.Entry<String, byte[]>, String> w = written.result();
      ParallelFileWork.Outcome<String, String> f = synced.result();
      synchronized (pendingLock) {
        if (from != null) {
          for (String scopeId : w.done()) {
            if (scopeId != null) {
              from.written.add(scopeId);
            }
          }
          from.lastWriteMillis = System.currentTimeMillis();
          for (Map.Entry<String, byte[]> unwritten : w.failed()) {
            // back for a retry, unless a newer change of the same scope came meanwhile
            if (!from.changes.containsKey(unwritten.getKey())) {
              from.changes.put(unwritten.getKey(), unwritten.getValue());
              pendingCount++;
            }
          }
        }
        if (f.failed().isEmpty()) {
          forced += forces.size();
        }
      }
      Throwable failure = w.failure() != null ? w.failure() : f.failure();
      if (failure != null) {
        return Future.failedFuture(failure);
      }
      return forcingDone() ? finishCheckpoint() : Future.succeededFuture(hasWorkNow());
    });
  }

  /**
   * Starts forcing the files of the leading sealed, fully written generations that are due:
   * old enough, or too many waiting, or the store is closing.
   */
  private void startCheckpointIfDue() {
    if (forcing != null) {
      return;
    }
    List<String> files = new ArrayList<>();
    long through = 0;
    long now = System.currentTimeMillis();
    int waiting = waitingGenerations();
    while (generations.size() > 1) {
      Generation first = generations.getFirst();
      boolean due = drainRequest != null || waiting > tuning.maxWaitingSegments()
          || now - first.lastWriteMillis >= tuning.checkpointDelayMillis();
      if (!first.sealed() || !first.changes.isEmpty() || !due) {
        break;
      }
      generations.removeFirst();
      waiting--;
      files.addAll(first.written);
      through = first.sealedThrough;
    }
    if (through > 0) {
      forcing = files;
      forced = 0;
      forcingThrough = through;
    }
  }

  /** Leading generations that are sealed and written, waiting for their checkpoint. */
  private int waitingGenerations() {
    int waiting = 0;
    for (Generation generation : generations) {
      if (!generation.sealed() || !generation.changes.isEmpty()) {
        break;
      }
      waiting++;
    }
    return waiting;
  }

  /** When the first waiting generation's checkpoint is due (-1: none waits). */
  private long nextCheckpointInMillis() {
    Generation first = generations.getFirst();
    if (generations.size() < 2 || !first.sealed() || !first.changes.isEmpty()) {
      return -1;
    }
    return Math.max(0, first.lastWriteMillis + tuning.checkpointDelayMillis() - System.currentTimeMillis());
  }

  private boolean forcingDone() {
    synchronized (pendingLock) {
      return forcing != null && forced == forcing.size();
    }
  }

  /** The checkpoint's files are forced: forces the directory, then deletes the segments it covers. */
  private Future<Boolean> finishCheckpoint() {
    long through;
    synchronized (pendingLock) {
      through = forcingThrough;
    }
    return fileTasks.executeBlocking(() -> {
      FileStoreDisk.forceDirectory(dir);
      journal.deleteThrough(through);
      FileStoreDisk.forceDirectory(dir);
      return null;
    }, false).map(x -> {
      synchronized (pendingLock) {
        forcing = null;
        forced = 0;
      }
      checkpoints.incrementAndGet();
      return hasWorkNow();
    });
  }

  /** Whether a step has something to do right away. */
  private boolean hasWorkNow() {
    synchronized (pendingLock) {
      if (forcing != null || pendingCount > 0) {
        return true;
      }
      long due = nextCheckpointInMillis();
      return due == 0 || (due > 0 && (drainRequest != null || waitingGenerations() > tuning.maxWaitingSegments()));
    }
  }

  /** Writes a scope's file ({@code body} null: deletes it). */
  private void writeScopeFile(String scopeId, byte[] body) throws IOException {
    Path file = FileStoreDisk.fileOf(dir, scopeId);
    if (body == null) {
      Files.deleteIfExists(file);
    } else {
      FileStoreDisk.replace(file, body);
    }
  }

  // --- open: load and replay --------------------------------------------------------------

  /**
   * Reads every scope file and replays the journal over them ({@link FileStoreRecovery}). The
   * replayed segments become the first generation: the files they changed are rewritten by the
   * file steps, the others forced, and the segments deleted at its checkpoint.
   */
  private void load(ScopeParser parser) throws IOException {
    FileStoreRecovery.Found found = FileStoreRecovery.read(dir, parser);
    scopes.putAll(found.scopes());
    Generation replayed = new Generation();
    replayed.changes.putAll(found.toWrite());
    replayed.written.addAll(found.toForce());
    long newest = found.newestSegment();
    synchronized (journalLock) {
      journal = new ScopeJournal(dir, newest + 1);
      sealedHandedOff = newest;
      for (Map.Entry<Long, Path> segment : found.segments().entrySet()) {
        journal.adopt(segment.getKey(), segment.getValue());
      }
    }
    synchronized (pendingLock) {
      if (newest > 0) {
        replayed.sealedThrough = newest;
        generations.add(replayed);
        pendingCount = replayed.changes.size();
      }
      generations.add(new Generation());
    }
    LOG.info("file store {}: {} scopes loaded{}", dir, scopes.size(), found.segments().isEmpty() ? ""
        : ", " + found.records() + " journal records replayed (" + replayed.changes.size()
        + " scope files to rewrite)");
  }

  // --- failures ---------------------------------------------------------------------------

  private <T> Future<T> unavailable(Throwable e) {
    return Future.failedFuture(unavailableException(e));
  }

  private StoreUnavailableException unavailableException(Throwable e) {
    return e instanceof StoreUnavailableException s ? s
        : new StoreUnavailableException("file store " + dir + ": " + e.getMessage(), e);
  }
}
