package dev.scopesync.store.file;

import java.util.AbstractMap;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The committed changes on their way to the scope files, and the checkpoint under way: the
 * bookkeeping of {@link WriteBehind}, without its disk work or scheduling.
 *
 * <p>Changes are kept in <em>generations</em>, one per journal segment (the segments replayed at
 * open form one): oldest first, every one but the last sealed. A generation's changes are written
 * oldest generation first, so no write overtakes an older change of the same scope; once a sealed
 * generation is written and due, a checkpoint takes it (and the ones after it that are due too) and
 * lists the files to force before its segments may be deleted.
 *
 * <p>The books also hold the backlog gate: commits wait while {@link
 * FileScopeStore.Tuning#maxBacklog} changes are unwritten.
 *
 * <p>Not thread safe: its one owner, {@link WriteBehind}, calls it under its lock. The clock is
 * injected (milliseconds, as {@link System#currentTimeMillis}), so tests are exact.
 */
final class PendingChanges {
  /** Writes taken by {@link #takeWrites}; hand them back to {@link #written}. */
  record Writes(Generation from, List<Map.Entry<String, byte[]>> changes) {}

  /**
   * The committed changes of one journal segment (or of the segments replayed at open): the file
   * contents still to write by scope id (null: delete), the scope ids already written (whose files
   * the checkpoint forces), when the last was written, and the segment.
   */
  static final class Generation {
    private final LinkedHashMap<String, byte[]> changes = new LinkedHashMap<>();
    private final List<String> written = new ArrayList<>();
    private long lastWriteMillis;
    private long sealedThrough;

    private boolean sealed() {
      return sealedThrough > 0;
    }
  }

  private final long checkpointDelayMillis;
  private final int maxWaitingSegments;
  private final int maxBacklog;
  private final LongSupplier clock;

  /** Oldest first; every one but the last is sealed. Checkpointed ones are removed. */
  private final ArrayDeque<Generation> generations = new ArrayDeque<>();

  /** Changes in the generations not yet written to their files. */
  private int unwritten;

  /** A commit round waits for the files to catch up. */
  private boolean commitWaiting;

  /**
   * Scope ids whose files the checkpoint under way forces (null: none under way), how many are
   * done, its last segment.
   */
  private List<String> forcing;

  private int forced;
  private long forcingThrough;

  /**
   * Starts with what open found: the replayed segments through {@code replayedThrough} (0: no
   * journal) become the first, sealed generation, with the files that differ from the replayed
   * state still to write and those that hold it already to force; then an open generation.
   */
  PendingChanges(
      FileScopeStore.Tuning tuning,
      LongSupplier clock,
      Map<String, byte[]> replayedWrites,
      List<String> replayedForces,
      long replayedThrough) {
    this.checkpointDelayMillis = tuning.checkpointDelayMillis();
    this.maxWaitingSegments = tuning.maxWaitingSegments();
    this.maxBacklog = tuning.maxBacklog();
    this.clock = clock;
    if (replayedThrough > 0) {
      Generation replayed = new Generation();
      replayed.changes.putAll(replayedWrites);
      replayed.written.addAll(replayedForces);
      replayed.sealedThrough = replayedThrough;
      generations.add(replayed);
      unwritten = replayed.changes.size();
    }
    generations.add(new Generation());
  }

  // --- commits ----------------------------------------------------------------------------

  /** Adds a commit's changes (file contents by scope id, null: delete) to the open generation. */
  void add(Map<String, byte[]> changes) {
    Map<String, byte[]> open = generations.getLast().changes;
    int before = open.size();
    open.putAll(changes);
    unwritten += open.size() - before;
  }

  /**
   * The journal sealed its segments through {@code segment}: the open generation is sealed there
   * and a new one opens.
   */
  void seal(long segment) {
    generations.getLast().sealedThrough = segment;
    generations.addLast(new Generation());
  }

  /** Changes not yet written to their files. */
  int unwritten() {
    return unwritten;
  }

  // --- the backlog gate -------------------------------------------------------------------

  /** Whether so many changes are unwritten that commits must wait. */
  boolean backlogFull() {
    return unwritten >= maxBacklog;
  }

  /** A commit round waits for the files; {@link #endCommitWait} tells when it may go on. */
  void commitWaits() {
    commitWaiting = true;
  }

  /**
   * Ends a commit's wait once the backlog is under its bound (or {@code failing}: it would wait in
   * vain); answers whether it did.
   */
  boolean endCommitWait(boolean failing) {
    if (commitWaiting && (unwritten < maxBacklog || failing)) {
      commitWaiting = false;
      return true;
    }
    return false;
  }

  /**
   * Asked by the commit round that chose to wait, once it let go of the commit task: whether
   * commits may go on now (the backlog under its bound, or {@code failing}), ending the wait. Yes
   * even when no wait is marked any more: a catch-up meanwhile may have ended it while the commit
   * task was still taken, and so could not resume commits.
   */
  boolean commitsMayGoOn(boolean failing) {
    boolean goOn = unwritten < maxBacklog || failing;
    if (goOn) {
      commitWaiting = false;
    }
    return goOn;
  }

  // --- writing ----------------------------------------------------------------------------

  /** Takes up to {@code max} of the oldest unwritten changes, all from one generation. */
  Writes takeWrites(int max) {
    List<Map.Entry<String, byte[]>> writes = new ArrayList<>();
    for (Generation generation : generations) {
      if (!generation.changes.isEmpty()) {
        // every older generation is written: nothing taken here can overtake an older change
        Iterator<Map.Entry<String, byte[]>> changes = generation.changes.entrySet().iterator();
        while (changes.hasNext() && writes.size() < max) {
          writes.add(new AbstractMap.SimpleImmutableEntry<>(changes.next()));
          changes.remove();
        }
        unwritten -= writes.size();
        return new Writes(generation, writes);
      }
    }
    return new Writes(null, writes);
  }

  /**
   * What became of writes taken by {@link #takeWrites}: the scope ids whose files were written
   * ({@code null} entries, deletions, have nothing to force) and the changes that failed; those go
   * back for a retry unless a newer change of the same scope came meanwhile.
   */
  void written(Writes writes, List<String> done, List<Map.Entry<String, byte[]>> failed) {
    Generation from = writes.from();
    if (from == null) {
      return;
    }
    for (String scopeId : done) {
      if (scopeId != null) {
        from.written.add(scopeId);
      }
    }
    from.lastWriteMillis = clock.getAsLong();
    for (Map.Entry<String, byte[]> unwrittenChange : failed) {
      if (!from.changes.containsKey(unwrittenChange.getKey())) {
        from.changes.put(unwrittenChange.getKey(), unwrittenChange.getValue());
        unwritten++;
      }
    }
  }

  // --- checkpoints ------------------------------------------------------------------------

  /**
   * Starts a checkpoint, unless one is under way, of the leading sealed, fully written generations
   * that are due: old enough, or too many waiting, or {@code draining} (closing).
   */
  void startCheckpointIfDue(boolean draining) {
    if (forcing != null) {
      return;
    }
    List<String> files = new ArrayList<>();
    long through = 0;
    long now = clock.getAsLong();
    int waiting = waitingGenerations();
    while (generations.size() > 1) {
      Generation first = generations.getFirst();
      boolean due =
          draining
              || waiting > maxWaitingSegments
              || now - first.lastWriteMillis >= checkpointDelayMillis;
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

  /**
   * The next up to {@code max} files the checkpoint under way has yet to force (none: no
   * checkpoint).
   */
  List<String> nextForces(int max) {
    return forcing == null
        ? List.of()
        : List.copyOf(forcing.subList(forced, Math.min(forced + max, forcing.size())));
  }

  /** The files {@link #nextForces} answered last, {@code count} of them, are forced. */
  void forced(int count) {
    forced += count;
  }

  /** Whether a checkpoint is under way and all its files are forced: its segments may go. */
  boolean checkpointForced() {
    return forcing != null && forced == forcing.size();
  }

  /** The newest segment the checkpoint under way covers. */
  long checkpointThrough() {
    return forcingThrough;
  }

  /** The checkpoint's segments are deleted: the next one may start. */
  void checkpointDone() {
    forcing = null;
    forced = 0;
  }

  /**
   * When the first waiting generation's checkpoint is due, in milliseconds from now (-1: none
   * waits).
   */
  long nextCheckpointInMillis() {
    Generation first = generations.getFirst();
    if (generations.size() < 2 || !first.sealed() || !first.changes.isEmpty()) {
      return -1;
    }
    return Math.max(0, first.lastWriteMillis + checkpointDelayMillis - clock.getAsLong());
  }

  /**
   * Whether there is something to do right away ({@code draining}: every waiting checkpoint is
   * due).
   */
  boolean hasWorkNow(boolean draining) {
    if (forcing != null || unwritten > 0) {
      return true;
    }
    long due = nextCheckpointInMillis();
    return due == 0 || (due > 0 && (draining || waitingGenerations() > maxWaitingSegments));
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
}
