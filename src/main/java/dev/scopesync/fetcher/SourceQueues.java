package dev.scopesync.fetcher;

import io.vertx.core.Future;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * One FIFO queue of jobs per source id: a source's jobs run one after another, different sources'
 * jobs run side by side. A source's entry exists only while it has a job pending or running, so
 * idle sources cost nothing (OPAL kept one lock per source forever).
 *
 * <p>Not thread-safe: use it only from the owning verticle's context, except {@link #size()} and
 * {@link #jobs()}, which the metrics gauges read from any thread. A job is a supplier of a future;
 * the next job starts when that future completes, whatever its outcome.
 */
final class SourceQueues {
  private final Map<String, Tail> tails = new HashMap<>();

  /** Counts kept for readers on other threads (a scrape must not walk the map while it changes). */
  private final AtomicInteger sources = new AtomicInteger();

  private final AtomicInteger jobs = new AtomicInteger();

  private static final class Tail {
    private Future<?> last = Future.succeededFuture();
    private int pending;
  }

  <T> Future<T> submit(String sourceId, Supplier<Future<T>> job) {
    Tail tail =
        tails.computeIfAbsent(
            sourceId,
            id -> {
              sources.incrementAndGet();
              return new Tail();
            });
    tail.pending++;
    jobs.incrementAndGet();
    Future<T> result = tail.last.transform(previous -> start(job));
    tail.last = result;
    result.onComplete(
        done -> {
          jobs.decrementAndGet();
          if (--tail.pending == 0 && tails.remove(sourceId, tail)) {
            sources.decrementAndGet();
          }
        });
    return result;
  }

  private static <T> Future<T> start(Supplier<Future<T>> job) {
    try {
      return job.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** How many sources have work pending; safe from any thread. */
  int size() {
    return sources.get();
  }

  /** How many jobs are pending or running, all sources together; safe from any thread. */
  int jobs() {
    return jobs.get();
  }

  /** How many jobs are pending or running for a source (0 when it has no entry). */
  int depth(String sourceId) {
    Tail tail = tails.get(sourceId);
    return tail == null ? 0 : tail.pending;
  }

  /** Completes when every job queued so far has finished. */
  Future<Void> drained() {
    return Future.join(tails.values().stream().map(t -> (Future<?>) t.last).toList())
        .otherwiseEmpty()
        .mapEmpty();
  }
}
