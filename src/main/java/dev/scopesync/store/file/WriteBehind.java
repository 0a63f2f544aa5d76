package dev.scopesync.store.file;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes committed changes to the scope files behind the journal, and checkpoints: forces the files
 * a sealed segment's changes went to, then the directory, then deletes the segment ({@link
 * FileScopeStore} tells the whole story). {@link PendingChanges} keeps the books, {@link
 * ParallelFileWork} does the disk work; this class runs bounded <em>steps</em>, one at a time,
 * retries a failed one every {@link #RETRY_MILLIS}, wakes a checkpoint not yet due by a timer, and
 * holds commits back while the files are too far behind, resuming them (through the hook given
 * here) once the files catch up or cannot be written at all.
 *
 * <p>Thread safe: commits hand changes over from the journal thread, steps end on the file threads,
 * timers fire on an event loop; all state is under one lock, never held across disk work. The
 * caller must know: {@link #drain} before {@link #close}, and {@link #close} only once the journal
 * is closed (nothing may be handed over after).
 */
final class WriteBehind {
  private static final Logger LOG = LoggerFactory.getLogger(WriteBehind.class);

  /** Scope files written, and files forced, per file step (bounds one step). */
  private static final int FILE_CHUNK = 1024;

  private static final long RETRY_MILLIS = 1000;

  private final Vertx vertx;
  private final Path dir;
  private final ParallelFileWork disk;

  /**
   * Only its sealed segments are touched here (deleted at a checkpoint); its owner is {@link
   * GroupCommit}.
   */
  private final ScopeJournal journal;

  private final Runnable resumeCommits;
  private final AtomicLong checkpoints = new AtomicLong();
  private volatile Throwable fileFailure;
  private volatile boolean closing;

  // --- guarded by lock ---------------------------------------------------------------------
  private final Object lock = new Object();
  private final PendingChanges pending;
  private boolean stepRunning;
  private boolean retryScheduled;
  private boolean wakeScheduled;
  private boolean filesClosed;

  /** Set by drain: checkpoint everything now, then complete. */
  private Promise<Void> drainRequest;

  /**
   * The last retry and wake timers (-1: none), cancelled by close (cancelling a fired one does
   * nothing).
   */
  private long retryTimer = -1;

  private long wakeTimer = -1;

  /**
   * @param resumeCommits runs when a commit that waited for the files may go on
   */
  WriteBehind(
      Vertx vertx,
      Path dir,
      FileScopeStore.Tuning tuning,
      ParallelFileWork disk,
      ScopeJournal journal,
      FileStoreRecovery.Found found,
      Runnable resumeCommits) {
    this.vertx = vertx;
    this.dir = dir;
    this.disk = disk;
    this.journal = journal;
    this.resumeCommits = resumeCommits;
    this.pending =
        new PendingChanges(
            tuning,
            System::currentTimeMillis,
            found.toWrite(),
            found.toForce(),
            found.newestSegment());
  }

  // --- from the commits ---------------------------------------------------------------------

  /**
   * Asked by a commit round before it appends: whether the files are so far behind that it must
   * wait (a catch-up resumes commits later).
   *
   * @throws IOException when they are that far behind and cannot be written at all: refuse the
   *     writes
   */
  boolean commitMustWait() throws IOException {
    synchronized (lock) {
      if (!pending.backlogFull()) {
        return false;
      }
      Throwable failing = fileFailure;
      if (failing != null) {
        throw new IOException(
            pending.unwritten()
                + " changes wait for scope files that cannot be written: "
                + failing.getMessage(),
            failing);
      }
      pending.commitWaits();
      return true;
    }
  }

  /**
   * Asked by a commit round that chose to wait, once it let go of the commit task: see {@link
   * PendingChanges#commitsMayGoOn}.
   */
  boolean commitsMayGoOn() {
    synchronized (lock) {
      return pending.commitsMayGoOn(fileFailure != null);
    }
  }

  /** Takes a commit's changes (contents by scope id, null: delete) for the next steps. */
  void add(Map<String, byte[]> changes) {
    synchronized (lock) {
      pending.add(changes);
    }
  }

  /**
   * The journal sealed its segments through {@code segment}: their changes are checkpointed
   * together.
   */
  void sealed(long segment) {
    synchronized (lock) {
      pending.seal(segment);
    }
    scheduleStep();
  }

  /** Why the last step failed, while the scope files cannot be written (null: they can). */
  Throwable failure() {
    return fileFailure;
  }

  /** Checkpoints completed (sealed segments folded into forced scope files and deleted). */
  long checkpoints() {
    return checkpoints.get();
  }

  // --- closing ----------------------------------------------------------------------------

  /**
   * Close has begun: a failed step is no longer retried by a timer ({@link #drain} tries once
   * more).
   */
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
      vertx.cancelTimer(retryTimer);
      vertx.cancelTimer(wakeTimer);
    }
  }

  // --- the steps ----------------------------------------------------------------------------

  /**
   * Starts a file step unless one is running: steps run one at a time, each spread over the file
   * threads.
   */
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
        LOG.error(
            "file store {}: cannot write scope files, retrying every {} ms (the journal keeps every "
                + "acknowledged write): {}",
            dir,
            RETRY_MILLIS,
            failure.toString());
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
        // changes committed, or close asked, while the step ran (their scheduleStep found it
        // running)
        more = pending.hasWorkNow(drainRequest != null);
      }
      if (drainRequest != null && (failure != null || !more)) {
        drained = drainRequest;
        drainRequest = null;
      }
      wakeCommits = pending.endCommitWait(failure != null);
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
        // under the lock: the id is kept before the timer can fire (and its step set another)
        synchronized (lock) {
          if (!filesClosed) {
            retryTimer =
                vertx.setTimer(RETRY_MILLIS, id -> timerFired(() -> retryScheduled = false));
          }
        }
      }
    } else if (more) {
      scheduleStep();
    } else if (wakeIn >= 0) {
      synchronized (lock) {
        // Not after close: close cancels the timers it knows, and this one would outlive it.
        if (!filesClosed) {
          wakeTimer =
              vertx.setTimer(Math.max(1, wakeIn), id -> timerFired(() -> wakeScheduled = false));
        }
      }
    }
  }

  /** A retry or wake timer fired: clears its flag under the lock, then runs a step. */
  private void timerFired(Runnable clearFlag) {
    synchronized (lock) {
      clearFlag.run();
    }
    scheduleStep();
  }

  /**
   * One bounded step: writes up to {@link #FILE_CHUNK} scope files of the oldest unwritten changes
   * and forces up to as many files of the checkpoint under way, spread over the file threads;
   * starts a checkpoint when sealed generations are written and due; ends it (directory forced,
   * segments deleted) once its files are forced. Answers whether there is more to do right away.
   */
  private Future<Boolean> fileStep() {
    PendingChanges.Writes writes;
    List<String> forces;
    boolean wakeCommits;
    synchronized (lock) {
      pending.startCheckpointIfDue(drainRequest != null);
      writes = pending.takeWrites(FILE_CHUNK);
      // these writes are under way: waiting commits may go on
      wakeCommits = !writes.changes().isEmpty() && pending.endCommitWait(false);
      forces = pending.nextForces(FILE_CHUNK);
    }
    if (wakeCommits) {
      resumeCommits.run();
    }
    if (writes.changes().isEmpty() && forces.isEmpty()) {
      return endOfStep();
    }
    Future<ParallelFileWork.Outcome<Map.Entry<String, byte[]>, String>> written =
        disk.writeScopeFiles(writes.changes());
    Future<ParallelFileWork.Outcome<String, String>> synced = disk.forceScopeFiles(forces);
    return Future.all(written, synced)
        .compose(
            both -> {
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

  /**
   * Ends the checkpoint if its files are all forced; answers whether there is more to do right
   * away.
   */
  private Future<Boolean> endOfStep() {
    long through;
    synchronized (lock) {
      if (!pending.checkpointForced()) {
        return Future.succeededFuture(pending.hasWorkNow(drainRequest != null));
      }
      through = pending.checkpointThrough();
    }
    return disk.endCheckpoint(journal, through)
        .map(
            x -> {
              boolean more;
              synchronized (lock) {
                pending.checkpointDone();
                more = pending.hasWorkNow(drainRequest != null);
              }
              checkpoints.incrementAndGet();
              return more;
            });
  }
}
