package dev.scopesync.store.file;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The disk work of {@link WriteBehind}: scope files written or forced, each list in slices spread
 * over the file executor's threads (each file is independent of the others; a failing one does not
 * stop the others), and the end of a checkpoint. Blocking work runs only on the file executor;
 * every method answers a future. Thread safe (no state of its own).
 */
final class ParallelFileWork {
  /** The least items worth a slice (a thread) of their own. */
  private static final int MIN_SLICE = 64;

  interface Action<T, R> {
    R run(T item) throws IOException;
  }

  /**
   * What a run did: the results of the items that succeeded, the items that failed, the first
   * failure.
   */
  record Outcome<T, R>(List<R> done, List<T> failed, Throwable failure) {}

  private final Path dir;
  private final WorkerExecutor threads;
  private final int threadCount;

  ParallelFileWork(Path dir, WorkerExecutor threads, int threadCount) {
    this.dir = dir;
    this.threads = threads;
    this.threadCount = threadCount;
  }

  /**
   * Writes each change's scope file (null content: deletes it); done holds the ids written, null
   * for a deletion.
   */
  Future<Outcome<Map.Entry<String, byte[]>, String>> writeScopeFiles(
      List<Map.Entry<String, byte[]>> changes) {
    return run(
        changes,
        change -> {
          FileStoreDisk.writeScopeFile(dir, change.getKey(), change.getValue());
          return change.getValue() == null ? null : change.getKey();
        });
  }

  /** Forces the files of these scopes (one deleted meanwhile needs none). */
  Future<Outcome<String, String>> forceScopeFiles(List<String> scopeIds) {
    return run(
        scopeIds,
        scopeId -> {
          FileStoreDisk.forceFile(FileStoreDisk.fileOf(dir, scopeId));
          return scopeId;
        });
  }

  /**
   * Ends a checkpoint whose files are forced: forces the directory (the renames and deletions of
   * its changes) before the journal's segments through {@code through} go, then again so their
   * deletion lasts too.
   */
  Future<Void> endCheckpoint(ScopeJournal journal, long through) {
    return threads.executeBlocking(
        () -> {
          FileStoreDisk.forceDirectory(dir);
          journal.deleteThrough(through);
          FileStoreDisk.forceDirectory(dir);
          return null;
        },
        false);
  }

  private <T, R> Future<Outcome<T, R>> run(List<T> items, Action<T, R> action) {
    if (items.isEmpty()) {
      return Future.succeededFuture(new Outcome<>(List.of(), List.of(), null));
    }
    int slices = Math.min(threadCount, (items.size() + MIN_SLICE - 1) / MIN_SLICE);
    List<Future<Outcome<T, R>>> parts = new ArrayList<>();
    for (int s = 0; s < slices; s++) {
      List<T> slice = items.subList(items.size() * s / slices, items.size() * (s + 1) / slices);
      parts.add(threads.executeBlocking(() -> runSlice(slice, action), false));
    }
    return Future.all(parts)
        .map(
            all -> {
              List<R> done = new ArrayList<>(items.size());
              List<T> failed = new ArrayList<>();
              Throwable first = null;
              for (Future<Outcome<T, R>> part : parts) {
                done.addAll(part.result().done());
                failed.addAll(part.result().failed());
                first = first == null ? part.result().failure() : first;
              }
              return new Outcome<>(done, failed, first);
            });
  }

  private static <T, R> Outcome<T, R> runSlice(List<T> slice, Action<T, R> action) {
    List<R> done = new ArrayList<>(slice.size());
    List<T> failed = new ArrayList<>();
    Throwable first = null;
    for (T item : slice) {
      try {
        done.add(action.run(item));
      } catch (IOException | RuntimeException e) {
        failed.add(item);
        first = first == null ? e : first;
      }
    }
    return new Outcome<>(done, failed, first);
  }
}
