package dev.scopesync.fetcher;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each scope last synced successfully on this node, for the staleness gauges. A
 * scope's entry goes with its delete, so the map holds only live scopes. Thread-safe:
 * written on the fetcher's context, read at scrape time.
 */
final class ScopeFreshness {
  private final Map<String, Long> lastOkMillis = new ConcurrentHashMap<>();

  void synced(String scopeId, long nowMillis) {
    lastOkMillis.put(scopeId, nowMillis);
  }

  void forget(String scopeId) {
    lastOkMillis.remove(scopeId);
  }

  int size() {
    return lastOkMillis.size();
  }

  /** How many scopes synced successfully within the last {@code seconds}. */
  long syncedWithin(long seconds, long nowMillis) {
    long since = nowMillis - seconds * 1000;
    return lastOkMillis.values().stream().filter(t -> t >= since).count();
  }

  /** Seconds since the stalest scope's last successful sync (0 when none). */
  long maxAgeSeconds(long nowMillis) {
    return lastOkMillis.values().stream().mapToLong(t -> (nowMillis - t) / 1000).max().orElse(0);
  }
}
