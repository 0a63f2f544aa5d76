package dev.scopesync.fetcher;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * At most one waiting sync per scope and source: an order for a scope whose previous order has not
 * started yet (still in a sync message's lanes or in the source's queue) joins it instead of
 * becoming a second job. Pushes to a repository that a thousand scopes use, arriving faster than
 * those scopes sync, would otherwise queue a thousand jobs per push without bound; joined, the
 * queue holds each scope at most twice (one running, one waiting), and the waiting one does
 * everything any of its orders asked.
 *
 * <p>Joining takes the union: a forced fetch if any order forces one, the latest request time (a
 * fetch is skipped only when it happened after every joined request arrived), the latest hinted
 * commit, and an announcement if any order announces. An order that finds its scope's sync already
 * running waits behind it as a new job: the running one may have read the remote before the change
 * the new order is about.
 *
 * <p>Not thread-safe: used from the fetcher's context only.
 */
final class PendingSyncs {
  /**
   * What a sync message asks for one scope, before the scope itself is looked up.
   *
   * @param automatic asked by this node's boot or poll, not by a person or a push: a failure that
   *     needs a person is backed off ({@link FailureBackoff})
   */
  record Order(
      String scopeId,
      String sourceId,
      boolean forceFetch,
      String hintedHash,
      Instant requestedAt,
      boolean announce,
      boolean automatic) {

    Order(
        String scopeId,
        String sourceId,
        boolean forceFetch,
        String hintedHash,
        Instant requestedAt,
        boolean announce) {
      this(scopeId, sourceId, forceFetch, hintedHash, requestedAt, announce, false);
    }

    Order joinedWith(Order later) {
      return new Order(
          scopeId,
          sourceId,
          forceFetch || later.forceFetch,
          later.hintedHash != null ? later.hintedHash : hintedHash,
          latest(requestedAt, later.requestedAt),
          announce || later.announce,
          automatic && later.automatic);
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
   * An order taken in: {@code done} completes when the sync that carries it has finished; {@code
   * start} puts that sync in its source's queue, and is null when the order joined a sync that was
   * already waiting (whoever holds that one starts it).
   */
  record Ticket(Future<Void> done, Supplier<Future<Void>> start) {}

  /**
   * Takes an order in: it waits from now until {@code start} is called and its job begins, and
   * every order for the same scope and source meanwhile joins it.
   *
   * @param enqueue puts a job in the source's queue and returns the job's outcome
   * @param run runs a sync; it is handed the order as joined when the job begins
   */
  Ticket register(
      Order order,
      Function<Supplier<Future<Void>>, Future<Void>> enqueue,
      Function<Order, Future<Void>> run) {
    String key = order.scopeId() + '\n' + order.sourceId();
    Waiting existing = waiting.get(key);
    if (existing != null) {
      existing.order = existing.order.joinedWith(order);
      joined++;
      return new Ticket(existing.done.future(), null);
    }
    Waiting entry = new Waiting(order);
    waiting.put(key, entry);
    return new Ticket(
        entry.done.future(),
        () -> {
          enqueue
              .apply(
                  () -> {
                    waiting.remove(key, entry);
                    return run.apply(entry.order);
                  })
              .onComplete(entry.done);
          return entry.done.future();
        });
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
