package dev.scopesync.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Bundle requests held for OPA's long polling ({@code Prefer: wait=N}): each waits, with no thread,
 * until its scope's policy changes, its time is up, its client goes away or the server stops —
 * whichever comes first wakes it exactly once and forgets it.
 *
 * <p>Not thread-safe: used only on the HTTP verticle's context.
 */
final class LongPolls {
  private final Vertx vertx;
  private final Map<String, Set<Waiter>> byScope = new HashMap<>();
  private int held;

  LongPolls(Vertx vertx) {
    this.vertx = vertx;
  }

  /** A held request; {@link #cancel()} forgets it without waking it (its client left). */
  final class Waiter {
    private final String scopeId;
    private final Supplier<Future<?>> wake;
    private long timer = -1;
    private boolean done;

    private Waiter(String scopeId, Supplier<Future<?>> wake) {
      this.scopeId = scopeId;
      this.wake = wake;
    }

    void cancel() {
      finish(false);
    }

    /**
     * @return the wake-up's answer, or a completed future when there was nothing to do
     */
    private Future<?> finish(boolean wakeUp) {
      if (done) {
        return Future.succeededFuture();
      }
      done = true;
      held--;
      vertx.cancelTimer(timer);
      Set<Waiter> waiters = byScope.get(scopeId);
      if (waiters != null) {
        waiters.remove(this);
        if (waiters.isEmpty()) {
          byScope.remove(scopeId);
        }
      }
      return wakeUp ? wake.get() : Future.succeededFuture();
    }
  }

  /**
   * Holds a request for up to {@code waitMillis}; {@code wake} runs once, on change, timeout or
   * shutdown.
   */
  Waiter hold(String scopeId, long waitMillis, Supplier<Future<?>> wake) {
    Waiter waiter = new Waiter(scopeId, wake);
    byScope.computeIfAbsent(scopeId, id -> new LinkedHashSet<>()).add(waiter);
    held++;
    waiter.timer = vertx.setTimer(Math.max(1, waitMillis), id -> waiter.finish(true));
    return waiter;
  }

  /** The scope's policy changed: wake everyone waiting on it. */
  void changed(String scopeId) {
    Set<Waiter> waiters = byScope.get(scopeId);
    if (waiters != null) {
      List.copyOf(waiters).forEach(w -> w.finish(true));
    }
  }

  /** Wakes every held request (shutdown); completes when all of them have been answered. */
  Future<Void> releaseAll() {
    List<Future<?>> answered = new ArrayList<>();
    byScope.values().stream()
        .flatMap(Set::stream)
        .toList()
        .forEach(w -> answered.add(w.finish(true)));
    return Future.join(answered).mapEmpty();
  }

  int held() {
    return held;
  }
}
