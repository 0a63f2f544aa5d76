package dev.scopesync.fetcher;

import io.vertx.core.buffer.Buffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Built bundles, keyed by source and ETag (which names the commit, the base hash, the filter and
 * the format), bounded by total bytes: beyond the bound the least recently used bundles go. A
 * bundle never changes once built, so an entry is never stale; a source's entries are dropped
 * together when the source is purged.
 *
 * <p>Not thread-safe: used only on the fetcher's context.
 */
final class BundleCache {
  private final long maxBytes;
  private final LinkedHashMap<Key, Buffer> entries = new LinkedHashMap<>(16, 0.75f, true);
  private final Map<String, Set<Key>> bySource = new HashMap<>();
  private long bytes;

  /**
   * Told of every entry that goes (evicted or dropped): the served bundles must not keep its bytes.
   */
  private final BiConsumer<String, String> onRemoved;

  private record Key(String sourceId, String etag) {}

  BundleCache(long maxBytes) {
    this(maxBytes, (sourceId, etag) -> {});
  }

  /**
   * @param onRemoved told (source id, ETag) of each entry the bound evicts
   */
  BundleCache(long maxBytes, BiConsumer<String, String> onRemoved) {
    this.maxBytes = maxBytes;
    this.onRemoved = onRemoved;
  }

  Buffer get(String sourceId, String etag) {
    return entries.get(new Key(sourceId, etag));
  }

  void put(String sourceId, String etag, Buffer bundle) {
    if (bundle.length() > maxBytes) {
      return; // larger than the whole cache: served, not kept (nor published to the edge)
    }
    Key key = new Key(sourceId, etag);
    Buffer previous = entries.put(key, bundle);
    if (previous != null) {
      bytes -= previous.length();
      if (previous != bundle) {
        onRemoved.accept(sourceId, etag);
      }
    }
    bytes += bundle.length();
    bySource.computeIfAbsent(sourceId, id -> new HashSet<>()).add(key);
    Iterator<Map.Entry<Key, Buffer>> eldest = entries.entrySet().iterator();
    while (bytes > maxBytes && eldest.hasNext()) {
      Map.Entry<Key, Buffer> e = eldest.next();
      eldest.remove();
      forget(e.getKey(), e.getValue());
      onRemoved.accept(e.getKey().sourceId(), e.getKey().etag());
    }
  }

  /** Drops a source's bundles; answers whether it had any. */
  boolean dropSource(String sourceId) {
    Set<Key> keys = bySource.remove(sourceId);
    if (keys == null) {
      return false;
    }
    for (Key key : keys) {
      Buffer removed = entries.remove(key);
      if (removed != null) {
        bytes -= removed.length();
      }
    }
    return true;
  }

  private void forget(Key key, Buffer bundle) {
    bytes -= bundle.length();
    Set<Key> keys = bySource.get(key.sourceId());
    if (keys != null) {
      keys.remove(key);
      if (keys.isEmpty()) {
        bySource.remove(key.sourceId());
      }
    }
  }

  int size() {
    return entries.size();
  }

  long bytes() {
    return bytes;
  }
}
