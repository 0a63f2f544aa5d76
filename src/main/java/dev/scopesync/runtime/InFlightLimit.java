package dev.scopesync.runtime;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Supplier;

/**
 * Runs asynchronous tasks at most {@code limit} at a time, the rest waiting in order: a burst of
 * requests (a start sweep over thousands of clones) reaches the store at a pace it takes.
 *
 * <p>Not thread-safe: owned by one verticle's event loop.
 */
public final class InFlightLimit {
  private final int limit;
  private final Deque<Runnable> waiting = new ArrayDeque<>();
  private int running;

  public InFlightLimit(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, got " + limit);
    }
    this.limit = limit;
  }

  /** The task's outcome, once it had its turn and finished. */
  public <T> Future<T> run(Supplier<Future<T>> task) {
    Promise<T> outcome = Promise.promise();
    waiting.add(
        () -> {
          Future<T> started;
          try {
            started = task.get();
          } catch (RuntimeException e) {
            started = Future.failedFuture(e);
          }
          started.onComplete(
              done -> {
                running--;
                outcome.handle(done);
                next();
              });
        });
    next();
    return outcome.future();
  }

  /** Tasks waiting for their turn. */
  int waiting() {
    return waiting.size();
  }

  private void next() {
    while (running < limit && !waiting.isEmpty()) {
      running++;
      waiting.poll().run();
    }
  }
}
