package dev.scopesync.store.file;

import dev.scopesync.model.Scope;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit of puts and deletes to the journal, and the committed scopes in memory.
 *
 * <p>Writes queue up; one commit task on the journal thread takes every write waiting (up to {@link
 * #MAX_BATCH}) in arrival order, appends their records and forces them once, then changes memory,
 * hands the changes to {@link WriteBehind} and answers each write on the context it was asked from.
 * So concurrent writes share one {@code fdatasync}, the writes of one scope keep their order, and
 * each put answers exactly the version it replaced. The journal's open segment is sealed when full,
 * or by a timer when old.
 *
 * <p>Thread safe: writes may be submitted from any thread; the journal is used only on the journal
 * executor, under {@code journalLock}. Owns the journal and the seal timer; both end with {@link
 * #close}, after which every write fails.
 */
final class GroupCommit {
  private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

  /** At most this many writes per journal append (bounds one commit task). */
  private static final int MAX_BATCH = 8192;

  /** A put (scope set) or delete (scope null) waiting for its commit. */
  private record Op(
      String scopeId,
      Scope scope,
      byte[] body,
      byte[] record,
      Context context,
      Promise<Scope> promise) {}

  private final Vertx vertx;
  private final Path dir;
  private final FileScopeStore.Tuning tuning;
  private final WorkerExecutor journalTasks;
  private final WriteBehind files;

  /** What get and all answer: changed only once a write is durable. */
  private final Map<String, Scope> scopes;

  private final ConcurrentLinkedQueue<Op> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean commitScheduled = new AtomicBoolean();
  private final Object journalLock = new Object();
  private final ScopeJournal journal;

  /**
   * The newest sealed segment whose generation {@link #files} was told of; guarded by journalLock.
   */
  private long sealedHandedOff;

  private volatile boolean closed;
  private long sealTimer = -1;

  /**
   * @param journal opened past the segments open found (and adopting them), through {@code
   *     replayedThrough}
   * @param scopes the scopes open found, replayed
   */
  GroupCommit(
      Vertx vertx,
      Path dir,
      FileScopeStore.Tuning tuning,
      WorkerExecutor journalTasks,
      WriteBehind files,
      ScopeJournal journal,
      long replayedThrough,
      Map<String, Scope> scopes) {
    this.vertx = vertx;
    this.dir = dir;
    this.tuning = tuning;
    this.journalTasks = journalTasks;
    this.files = files;
    this.journal = journal;
    this.sealedHandedOff = replayedThrough;
    this.scopes = new ConcurrentHashMap<>(scopes);
  }

  /** Starts the timer that seals an old segment, so its checkpoint is not put off indefinitely. */
  void start() {
    sealTimer =
        vertx.setPeriodic(
            tuning.sealMillis(),
            id -> {
              if (closed) {
                return;
              }
              journalTasks.executeBlocking(
                  () -> {
                    synchronized (journalLock) {
                      if (!closed && journal.size() > 0) {
                        journal.seal();
                        handOffSeals();
                      }
                    }
                    return null;
                  },
                  false);
            });
  }

  /** The committed scope, or null. */
  Scope scope(String scopeId) {
    return scopes.get(scopeId);
  }

  List<Scope> scopes() {
    return new ArrayList<>(scopes.values());
  }

  /** How many times the journal was forced (one per group of writes). */
  long journalForces() {
    return journal.forces();
  }

  /**
   * Queues a put ({@code scope} and its file {@code body} set) or a delete (both null) with its
   * journal record; answers, on the caller's context, the scope it replaced once it is durable.
   */
  Future<Scope> submit(String scopeId, Scope scope, byte[] body, byte[] record) {
    if (closed) {
      return FileScopeStore.unavailable(dir, new IOException("the store is closed"));
    }
    Promise<Scope> promise = Promise.promise();
    Op op = new Op(scopeId, scope, body, record, vertx.getOrCreateContext(), promise);
    queue.add(op);
    if (closed && queue.remove(op)) {
      // close() began between the check above and the add: it may have drained the queue already
      return FileScopeStore.unavailable(dir, new IOException("the store is closed"));
    }
    resume();
    return promise.future();
  }

  /**
   * Commits every write already asked for, seals the last segment and closes the journal; writes
   * asked for afterwards fail. Call once.
   */
  Future<Void> close() {
    closed = true;
    if (sealTimer >= 0) {
      vertx.cancelTimer(sealTimer);
    }
    return journalTasks.executeBlocking(
        () -> {
          synchronized (journalLock) {
            for (List<Op> batch = drain(); !batch.isEmpty(); batch = drain()) {
              commit(batch);
            }
            journal.seal();
            handOffSeals();
            journal.close();
          }
          return null;
        },
        false);
  }

  /**
   * Schedules a commit round unless one is scheduled (also how {@link WriteBehind} resumes waiting
   * commits).
   */
  void resume() {
    if (commitScheduled.compareAndSet(false, true)) {
      journalTasks
          .executeBlocking(
              () -> {
                commitRound();
                return null;
              },
              false)
          .onFailure(
              e -> {
                // the executor is gone (closed): nothing will commit what is queued
                commitScheduled.set(false);
                complete(drain(), null, e);
              });
    }
  }

  /**
   * One group commit: every write waiting now (up to {@link #MAX_BATCH}), one append, one force.
   * Waits instead while the scope files are too far behind (or fails the writes if the files cannot
   * be written at all).
   */
  private void commitRound() {
    boolean deferred = false;
    try {
      synchronized (journalLock) {
        try {
          deferred = files.commitMustWait();
          if (!deferred) {
            commit(drain());
          }
        } catch (IOException refused) {
          complete(drain(), null, refused);
        }
      }
    } finally {
      commitScheduled.set(false);
    }
    if (deferred) {
      // the files may have caught up between the check above and now
      if (files.commitsMayGoOn()) {
        resume();
      }
    } else if (!queue.isEmpty()) {
      resume();
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

  /**
   * Appends and forces the batch, then updates memory, hands the changes to the file steps and
   * answers.
   */
  private void commit(List<Op> batch) {
    if (batch.isEmpty()) {
      return;
    }
    // What each write replaces, as if they ran one after the other in arrival order.
    Map<String, Scope> after = new HashMap<>();
    Map<String, byte[]> changes = new HashMap<>();
    Scope[] previous = new Scope[batch.size()];
    int bytes = 0;
    for (Op op : batch) {
      bytes += op.record().length;
    }
    ByteBuffer records = ByteBuffer.allocate(bytes);
    for (int i = 0; i < batch.size(); i++) {
      Op op = batch.get(i);
      previous[i] =
          after.containsKey(op.scopeId()) ? after.get(op.scopeId()) : scopes.get(op.scopeId());
      after.put(op.scopeId(), op.scope());
      changes.put(op.scopeId(), op.body());
      records.put(op.record());
    }
    records.flip();
    try {
      journal.append(records);
    } catch (IOException | RuntimeException e) {
      LOG.error(
          "file store {}: journal write failed, {} writes refused: {}",
          dir,
          batch.size(),
          e.toString());
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
    files.add(changes);
    if (journal.size() >= tuning.segmentBytes()) {
      journal.seal();
    }
    handOffSeals();
    files.scheduleStep();
    complete(batch, previous, null);
  }

  /** Tells the file steps of each newly sealed segment (a failed append may seal one too). */
  private void handOffSeals() {
    long newest = journal.lastSealed();
    if (newest > sealedHandedOff) {
      sealedHandedOff = newest;
      files.sealed(newest);
    }
  }

  /** Answers each write on the context it was asked from (one task per context). */
  private void complete(List<Op> batch, Scope[] previous, Throwable failure) {
    Map<Context, List<Runnable>> byContext = new IdentityHashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      Op op = batch.get(i);
      Scope replaced = previous == null ? null : previous[i];
      Runnable answer =
          failure == null
              ? () -> op.promise().complete(replaced)
              : () -> op.promise().fail(FileScopeStore.unavailableException(dir, failure));
      byContext.computeIfAbsent(op.context(), c -> new ArrayList<>()).add(answer);
    }
    byContext.forEach(
        (context, answers) -> context.runOnContext(v -> answers.forEach(Runnable::run)));
  }
}
