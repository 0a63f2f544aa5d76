package dev.scopesync.store.file;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one blocking file action on every item of a list, in slices spread over a worker
 * executor's threads (the file store writes and forces scope files this way: each file is
 * independent of the others). A failing item does not stop the others.
 */
final class ParallelFileWork {
  /** The least items worth a slice (a thread) of their own. */
  private static final int MIN_SLICE = 64;

  interface Action<T, R> {
    R run(T item) throws IOException;
  }

  /** What a run did: the results of the items that succeeded, the items that failed, the first failure. */
  record Outcome<T, R>(List<R> done, List<T> failed, Throwable failure) {
  }

  private final WorkerExecutor threads;
  private final int threadCount;

  ParallelFileWork(WorkerExecutor threads, int threadCount) {
    this.threads = threads;
    this.threadCount = threadCount;
  }

  <T, R> Future<Outcome<T, R>> run(List<T> items, Action<T, R> action) {
    if (items.isEmpty()) {
      return Future.succeededFuture(new Outcome<>(List.of(), List.of(), null));
    }
    int slices = Math.min(threadCount, (items.size() + MIN_SLICE - 1) / MIN_SLICE);
    List<Future<Outcome<T, R>>> parts = new ArrayList<>();
    for (int s = 0; s < slices; s++) {
      List<T> slice = items.subList(items.size() * s / slices, items.size() * (s + 1) / slices);
      parts.add(threads.executeBlocking(() -> runSlice(slice, action), false));
    }
    return Future.all(parts).map(all -> {
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
