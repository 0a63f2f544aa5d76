package dev.scopesync.fetcher;

import java.util.concurrent.ConcurrentHashMap;

/**
 * How many pieces of work hold each source (or scope) in some state (an acquisition being cloned,
 * its refs not seeded yet): overlapping pieces each add and remove, and the source leaves the state
 * only when the last one is done. A source is present only while counted, so the map holds nothing
 * at rest.
 *
 * <p>Written on the fetcher's context; {@link #contains} and {@link #size} are safe from any
 * thread.
 */
final class SourceCounts {
  private final ConcurrentHashMap<String, Integer> counts = new ConcurrentHashMap<>();

  void add(String sourceId) {
    counts.merge(sourceId, 1, Integer::sum);
  }

  void remove(String sourceId) {
    counts.computeIfPresent(sourceId, (id, n) -> n == 1 ? null : n - 1);
  }

  boolean contains(String sourceId) {
    return counts.containsKey(sourceId);
  }

  int size() {
    return counts.size();
  }
}
