package dev.scopesync.fetcher;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * At most one waiting sync per scope and source: an order for a scope whose previous order
 * has not started yet joins it instead of queueing a second job. Pushes to a repository that
 * a thousand scopes use, arriving faster than those scopes sync, would otherwise queue a
 * thousand jobs per push without bound; joined, the queue holds each scope at most twice
 * (one running, one waiting), and the waiting one does everything any of its orders asked.
 *
 * <p>Joining takes the union: a forced fetch if any order forces one, the latest request
 * time (a fetch is skipped only when it happened after every joined request arrived), the
 * latest hinted commit, and an announcement if any order announces. An order that finds its
 * scope's sync already running waits behind it as a new job: the running one may have read
 * the remote before the change the new order is about.
 *
 * <p>Not thread-safe: used from the fetcher's context only.
 */
final class PendingSyncs {
  /** What a sync message asks for one scope, before the scope itself is looked up. */
  record Order(String scopeId, String sourceId, boolean forceFetch, String hintedHash, Instant requestedAt,
               boolean announce) {

    Order joinedWith(Order later) {
      return new Order(scopeId, sourceId, forceFetch || later.forceFetch,
          later.hintedHash != null ? later.hintedHash : hintedHash, latest(requestedAt, later.requestedAt),
          announce || later.announce);
    }

    private static Instant latest(Instant a, Instant b) {
      if (a == null) {
        return b;
      }
      return b == null || a.isAfter(b) ? a : b;
    }
  }

  private static final class Waiting {
    private Order order;
    private final Promise<Void> done = Promise.promise();

    private Waiting(Order order) {
      this.order = order;
    }
  }

  private final Map<String, Waiting> waiting = new HashMap<>();
  private int joined;

  /**
   * Runs {@code order}, or joins it to the same scope's waiting one.
   *
   * @param enqueue puts a job in the source's queue; the job is handed the order to run,
   *     which may have been joined with later ones by the time it starts
   * @return completes when the sync that carried this order has finished
   */
  Future<Void> submit(Order order, Function<Supplier<Future<Void>>, Future<Void>> enqueue,
      Function<Order, Future<Void>> run) {
    String key = order.scopeId() + '\n' + order.sourceId();
    Waiting existing = waiting.get(key);
    if (existing != null) {
      existing.order = existing.order.joinedWith(order);
      joined++;
      return existing.done.future();
    }
    Waiting entry = new Waiting(order);
    waiting.put(key, entry);
    enqueue.apply(() -> {
      waiting.remove(key, entry);
      return run.apply(entry.order);
    }).onComplete(entry.done);
    return entry.done.future();
  }

  /** Scopes with a sync waiting to start. */
  int size() {
    return waiting.size();
  }

  /** Orders that joined a waiting one since start. */
  int joined() {
    return joined;
  }
}
