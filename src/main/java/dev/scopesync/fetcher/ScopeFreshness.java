package dev.scopesync.fetcher;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each scope last synced successfully on this node, for the staleness gauges. A scope's entry
 * goes with its delete (and with its source, when a sharded node releases the source), so the map
 * holds only live scopes synced here.
 *
 * <p>The gauges read a count of scopes per minute of their last sync, not every scope: a scrape
 * costs the number of distinct minutes in the window (at most 1,440 for a day), not the number of
 * scopes (DESIGN §13). Thread-safe: written on the fetcher's context, read at scrape time.
 */
final class ScopeFreshness {
  private static final long MINUTE = 60_000;

  /** A scope's last successful sync, and the source it synced from. */
  private record LastOk(String sourceId, long millis) {}

  private final Map<String, LastOk> lastOk = new ConcurrentHashMap<>();

  /** sourceId → the scopes with an entry that synced from it (the fetcher's context only). */
  private final Map<String, Set<String>> bySource = new HashMap<>();

  /** Minute (epoch millis / 60,000) of a last successful sync → how many scopes have it. */
  private final NavigableMap<Long, Integer> perMinute = new TreeMap<>();

  void synced(String scopeId, String sourceId, long nowMillis) {
    LastOk before = lastOk.put(scopeId, new LastOk(sourceId, nowMillis));
    if (before != null && !before.sourceId().equals(sourceId)) {
      unindex(scopeId, before.sourceId());
    }
    bySource.computeIfAbsent(sourceId, id -> new HashSet<>()).add(scopeId);
    synchronized (perMinute) {
      if (before != null) {
        uncount(before.millis() / MINUTE);
      }
      perMinute.merge(nowMillis / MINUTE, 1, Integer::sum);
    }
  }

  void forget(String scopeId) {
    LastOk before = lastOk.remove(scopeId);
    if (before != null) {
      unindex(scopeId, before.sourceId());
      synchronized (perMinute) {
        uncount(before.millis() / MINUTE);
      }
    }
  }

  /**
   * Forgets every scope that synced from a source this node released (sharded clusters): their
   * freshness is their owners' to report now.
   */
  void forgetSource(String sourceId) {
    Set<String> scopes = bySource.get(sourceId);
    if (scopes != null) {
      for (String scopeId : List.copyOf(scopes)) {
        forget(scopeId);
      }
    }
  }

  private void unindex(String scopeId, String sourceId) {
    Set<String> scopes = bySource.get(sourceId);
    if (scopes != null && scopes.remove(scopeId) && scopes.isEmpty()) {
      bySource.remove(sourceId);
    }
  }

  int size() {
    return lastOk.size();
  }

  /**
   * How many scopes synced successfully within the last {@code seconds}, to the minute: a sync
   * counts when its minute is not older than the window's first minute.
   */
  long syncedWithin(long seconds, long nowMillis) {
    long since = (nowMillis - seconds * 1000) / MINUTE;
    synchronized (perMinute) {
      long n = 0;
      for (int count : perMinute.tailMap(since, true).values()) {
        n += count;
      }
      return n;
    }
  }

  /** Seconds since the stalest scope's last successful sync (0 when none), to the minute. */
  long maxAgeSeconds(long nowMillis) {
    synchronized (perMinute) {
      return perMinute.isEmpty()
          ? 0
          : Math.max(0, (nowMillis - perMinute.firstKey() * MINUTE) / 1000);
    }
  }

  private void uncount(long minute) {
    perMinute.computeIfPresent(minute, (m, count) -> count == 1 ? null : count - 1);
  }
}
