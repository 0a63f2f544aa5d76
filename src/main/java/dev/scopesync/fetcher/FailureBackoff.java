package dev.scopesync.fetcher;

import java.util.HashMap;
import java.util.Map;

/**
 * Which scopes' syncs are failing, and for failures that need a person (bad credentials, a missing
 * repository, a bad url: Flux's "stalled") until when automatic syncs leave them alone. Retrying
 * those at the poll rate only repeats the error and loads the git host, so the delay is 2, 4, 8,
 * then 16 polling intervals after each failure in a row. Failures worth retrying (network,
 * timeouts) are retried at the full rate. Each change of a scope's state is reported once (the
 * first failure, a different failure, the recovery), so a broken scope is one log line, not one per
 * tick.
 *
 * <p>Not thread-safe: used from the fetcher's context only. A scope's entry exists only while its
 * syncs fail, and goes when it is deleted.
 */
final class FailureBackoff {
  /** The longest delay, in polling intervals (issue #23: {@code polling.intervalSeconds × 16}). */
  static final int MAX_INTERVALS = 16;

  /** What changed for a scope with this outcome: tells the caller whether to log it. */
  enum Change {
    NONE,
    FAILING,
    RECOVERED
  }

  private record Failing(String sourceId, String state, int attempts, long retryAtMillis) {}

  private final long intervalMillis;
  private final Map<String, Failing> failing = new HashMap<>();

  /**
   * @param intervalMillis one polling interval, the first delay (at least 1 ms)
   */
  FailureBackoff(long intervalMillis) {
    if (intervalMillis < 1) {
      throw new IllegalArgumentException(
          "the backoff interval must be at least 1 ms, got " + intervalMillis);
    }
    this.intervalMillis = intervalMillis;
  }

  /** Whether an automatic sync of the scope waits out its delay at {@code nowMillis}. */
  boolean waiting(String scopeId, long nowMillis) {
    Failing f = failing.get(scopeId);
    return f != null && nowMillis < f.retryAtMillis;
  }

  /**
   * Records a failed sync. {@code state} names the failure (its kind and message); a different
   * state than the last one is a change.
   */
  Change failed(
      String scopeId, String sourceId, String state, boolean needsPerson, long nowMillis) {
    Failing before = failing.get(scopeId);
    int attempts =
        before == null || !before.state.equals(state) ? 1 : Math.min(before.attempts + 1, 4);
    long delay =
        needsPerson ? intervalMillis * Math.min(MAX_INTERVALS, 1L << Math.min(attempts, 4)) : 0;
    failing.put(scopeId, new Failing(sourceId, state, attempts, nowMillis + delay));
    return before == null || !before.state.equals(state) ? Change.FAILING : Change.NONE;
  }

  /** Records a successful sync: a scope that was failing has recovered. */
  Change succeeded(String scopeId) {
    return failing.remove(scopeId) != null ? Change.RECOVERED : Change.NONE;
  }

  /**
   * A sharded node released the source: its scopes' failures are their owners' now. Walks only the
   * failing scopes.
   */
  void forgetSource(String sourceId) {
    failing.values().removeIf(f -> f.sourceId().equals(sourceId));
  }

  /** The scope is gone: nothing is kept for it. */
  void forget(String scopeId) {
    failing.remove(scopeId);
  }

  /** How many scopes are failing (the leak tests read it). */
  int size() {
    return failing.size();
  }
}
