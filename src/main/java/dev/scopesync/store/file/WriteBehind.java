package dev.scopesync.store.file;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes committed changes to the scope files behind the journal, and checkpoints: forces the
 * files a sealed segment's changes went to, then the directory, then deletes the segment
 * ({@link FileScopeStore} tells the whole story; {@link PendingChanges} keeps the books).
 *
 * <p>The work goes in bounded <em>steps</em>, one at a time, each spread over the file
 * threads ({@link ParallelFileWork}); a failed step is retried every {@link #RETRY_MILLIS},
 * and a checkpoint not yet due is woken by a timer. It also holds the backlog gate of
 * {@link GroupCommit}: a commit that finds too many changes unwritten waits, and is resumed
 * (through the hook given here) once the files catch up or cannot be written at all.
 *
 * <p>Thread safe: commits hand changes over from the journal thread, steps end on the file
 * threads, timers fire on an event loop; all state is under one lock, never held across disk
 * work. The caller must know: {@link #drain} before {@link #close}, and {@link #close} only
 * once the journal is closed (nothing may be handed over after).
 */
final class WriteBehind {
  private static final Logger LOG = LoggerFactory.getLogger(WriteBehind.class);
  /** Scope files written, and files forced, per file step (bounds one step). */
  private static final int FILE_CHUNK = 1024;
  private static final long RETRY_MILLIS = 1000;

  private final Vertx vertx;
  private final Path dir;
  private final FileScopeStore.Tuning tuning;
  private final WorkerExecutor fileTasks;
  private final ParallelFileWork fileWork;
  /** Only its sealed segments are touched here (deleted at a checkpoint); its owner is {@link GroupCommit}. */
  private final ScopeJournal journal;
  private final Runnable resumeCommits;
  private final AtomicLong checkpoints = new AtomicLong();
  private volatile Throwable fileFailure;
  private volatile boolean closing;

  // --- guarded by lock ---------------------------------------------------------------------
  private final Object lock = new Object();
  private final PendingChanges pending;
  /** A commit waits for the files to catch up. */
  private boolean commitDeferred;
  private boolean stepRunning;
  private boolean retryScheduled;
  private boolean wakeScheduled;
  private boolean filesClosed;
  /** Set by drain: checkpoint everything now, then complete. */
  private Promise<Void> drainRequest;
  /** The retry and wake timers (-1: none), cancelled by close. */
  private long retryTimer = -1;
  private long wakeTimer = -1;

  /**
   * @param found what open found: its replayed changes are the first to write and checkpoint
   * @param resumeCommits runs when a commit that waited for the files may go on
   */
  WriteBehind(Vertx vertx, Path dir, FileScopeStore.Tuning tuning, WorkerExecutor fileTasks, int fileThreads,
      ScopeJournal journal, FileStoreRecovery.Found found, Runnable resumeCommits) {
    this.vertx = vertx;
    this.dir = dir;
    this.tuning = tuning;
    this.fileTasks = fileTasks;
    this.fileWork = new ParallelFileWork(fileTasks, fileThreads);
    this.journal = journal;
    this.resumeCommits = resumeCommits;
    this.pending = new PendingChanges(tuning, System::currentTimeMillis, found.toWrite(), found.toForce(),
        found.newestSegment());
  }

  // --- from the commits ---------------------------------------------------------------------

  /**
   * Asked by a commit round before it appends: whether the files are so far behind that it
   * must wait (a catch-up resumes commits later).
   *
   * @throws IOException when they are that far behind and cannot be written at all: refuse the writes
   */
  boolean commitMustWait() throws IOException {
    synchronized (lock) {
      int unwritten = pending.unwritten();
      if (unwritten < tuning.maxBacklog()) {
        return false;
      }
      Throwable failing = fileFailure;
      if (failing != null) {
        throw new IOException(unwritten + " changes wait for scope files that cannot be written: "
            + failing.getMessage(), failing);
      }
      commitDeferred = true;
      return true;
    }
  }

  /**
   * Asked by a commit round that chose to wait, once it let go of the commit task: whether the
   * files caught up (or failed) meanwhile, so it must resume commits itself — a catch-up in
   * that window may have found the task still taken.
   */
  boolean commitsMayGoOn() {
    synchronized (lock) {
      boolean goOn = pending.unwritten() < tuning.maxBacklog() || fileFailure != null;
      if (goOn) {
        commitDeferred = false;
      }
      return goOn;
    }
  }

  /** Takes a commit's changes (file contents by scope id, null: delete); {@link #scheduleStep} writes them. */
  void add(Map<String, byte[]> changes) {
    synchronized (lock) {
      pending.add(changes);
    }
  }

  /** The journal sealed its segments through {@code segment}: their changes are checkpointed together. */
  void sealed(long segment) {
    synchronized (lock) {
      pending.seal(segment);
    }
    scheduleStep();
  }

  /** Why the scope files cannot be written right now (null: they can). */
  Throwable failure() {
    return fileFailure;
  }

  /** Checkpoints completed (sealed segments folded into forced scope files and deleted). */
  long checkpoints() {
    return checkpoints.get();
  }

  // --- closing ----------------------------------------------------------------------------

  /** Close has begun: a failed step is no longer retried by a timer ({@link #drain} tries once more). */
  void closing() {
    closing = true;
  }

  /** Writes and forces every file and checkpoints every sealed segment; fails if a step fails. */
  Future<Void> drain() {
    Promise<Void> drained = Promise.promise();
    synchronized (lock) {
      drainRequest = drained;
      retryScheduled = false;
    }
    scheduleStep();
    return drained.future();
  }

  /** Runs no more steps and cancels the timers. */
  void close() {
    synchronized (lock) {
      filesClosed = true;
      cancel(retryTimer);
      cancel(wakeTimer);
    }
  }

  private void cancel(long timer) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  // --- the steps ----------------------------------------------------------------------------

  /** Starts a file step unless one is running: steps run one at a time, each spread over the file threads. */
  void scheduleStep() {
    synchronized (lock) {
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
    boolean wakeCommits;
    long wakeIn = -1;
    synchronized (lock) {
      stepRunning = false;
      if (failure != null) {
        retryScheduled = true;
      } else if (!more) {
        // changes committed, or close asked, while the step ran (their scheduleStep found it running)
        more = pending.hasWorkNow(drainRequest != null);
      }
      if (drainRequest != null && (failure != null || !more)) {
        drained = drainRequest;
        drainRequest = null;
      }
      wakeCommits = endDeferral(failure != null);
      if (failure == null && !more && !wakeScheduled && drainRequest == null) {
        wakeIn = pending.nextCheckpointInMillis();
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
      resumeCommits.run();
    }
    if (failure != null) {
      if (!closing) {
        // set under the lock, so the timer cannot fire (and forget its id) before its id is kept
        synchronized (lock) {
          retryTimer = vertx.setTimer(RETRY_MILLIS, id -> {
            synchronized (lock) {
              retryScheduled = false;
              retryTimer = -1;
            }
            scheduleStep();
          });
        }
      }
    } else if (more) {
      scheduleStep();
    } else if (wakeIn >= 0) {
      synchronized (lock) {
        wakeTimer = vertx.setTimer(Math.max(1, wakeIn), id -> {
          synchronized (lock) {
            wakeScheduled = false;
            wakeTimer = -1;
          }
          scheduleStep();
        });
      }
    }
  }

  /** Under the lock: ends a commit's wait once the backlog is under the bound (or {@code failing}: it waits in vain). */
  private boolean endDeferral(boolean failing) {
    if (commitDeferred && (pending.unwritten() < tuning.maxBacklog() || failing)) {
      commitDeferred = false;
      return true;
    }
    return false;
  }

  /**
   * One bounded step: writes up to {@link #FILE_CHUNK} scope files of the oldest unwritten
   * changes and forces up to as many files of the checkpoint under way, spread over the
   * file threads; starts a checkpoint when sealed generations are written and due; ends it
   * (directory forced, segments deleted) once its files are forced. Answers whether there
   * is more to do right away.
   */
  private Future<Boolean> fileStep() {
    PendingChanges.Writes writes;
    List<String> forces;
    boolean wakeCommits;
    synchronized (lock) {
      pending.startCheckpointIfDue(drainRequest != null);
      writes = pending.takeWrites(FILE_CHUNK);
      // these writes are under way: waiting commits may go on
      wakeCommits = !writes.changes().isEmpty() && endDeferral(false);
      forces = pending.nextForces(FILE_CHUNK);
    }
    if (wakeCommits) {
      resumeCommits.run();
    }
    if (writes.changes().isEmpty() && forces.isEmpty()) {
      return endOfStep();
    }
    Future<ParallelFileWork.Outcome<Map.Entry<String, byte[]>, String>> written = fileWork.run(writes.changes(),
        change -> {
          FileStoreDisk.writeScopeFile(dir, change.getKey(), change.getValue());
          return change.getValue() == null ? null : change.getKey();
        });
    Future<ParallelFileWork.Outcome<String, String>> synced = fileWork.run(forces, scopeId -> {
      FileStoreDisk.forceFile(FileStoreDisk.fileOf(dir, scopeId));
      return scopeId;
    });
    return Future.all(written, synced).compose(both -> {
      ParallelFileWork.Outcome<Map.Entry<String, byte[]>, String> w = written.result();
      ParallelFileWork.Outcome<String, String> f = synced.result();
      synchronized (lock) {
        pending.written(writes, w.done(), w.failed());
        if (f.failed().isEmpty()) {
          pending.forced(forces.size());
        }
      }
      Throwable failure = w.failure() != null ? w.failure() : f.failure();
      return failure != null ? Future.failedFuture(failure) : endOfStep();
    });
  }

  /** Ends the checkpoint if its files are all forced; answers whether there is more to do right away. */
  private Future<Boolean> endOfStep() {
    long through;
    synchronized (lock) {
      if (!pending.checkpointForced()) {
        return Future.succeededFuture(pending.hasWorkNow(drainRequest != null));
      }
      through = pending.checkpointThrough();
    }
    // the directory first (the renames and deletions the files' changes made), then the segments
    return fileTasks.executeBlocking(() -> {
      FileStoreDisk.forceDirectory(dir);
      journal.deleteThrough(through);
      FileStoreDisk.forceDirectory(dir);
      return null;
    }, false).map(x -> {
      synchronized (lock) {
        pending.checkpointDone();
      }
      checkpoints.incrementAndGet();
      return hasWorkNow();
    });
  }

  private boolean hasWorkNow() {
    synchronized (lock) {
      return pending.hasWorkNow(drainRequest != null);
    }
  }
}
