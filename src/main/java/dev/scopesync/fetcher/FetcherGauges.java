package dev.scopesync.fetcher;

import dev.scopesync.bus.StatsFields;
import dev.scopesync.git.RepositoryHandles;
import dev.scopesync.metrics.ServerMetrics;
import dev.scopesync.serving.ServedBundles;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * What the fetcher holds, counted once (DESIGN §10, §6): each count is both a stats field and a
 * gauge, read from any thread (a scrape, a stats request).
 */
final class FetcherGauges {
  /** One count: its {@code /internal/stats} field, its Prometheus gauge, and how to read it. */
  record Count(String statsField, String metric, String description, IntSupplier value) {}

  private FetcherGauges() {}

  /** What the fetcher holds, each count a stats field and a gauge. */
  static List<Count> counts(
      RepositoryHandles handles,
      Map<String, ?> lastFetched,
      SourceQueues queues,
      IntSupplier cloneDirs,
      BundleCache bundleCache,
      ServedBundles served,
      IntSupplier owned) {
    return List.of(
        new Count(
            StatsFields.REPOS,
            ServerMetrics.REPOSITORIES_OPEN,
            "open Repository handles",
            handles::size),
        new Count(
            StatsFields.LAST_FETCHED,
            ServerMetrics.LAST_FETCHED_ENTRIES,
            "sources with a last-fetched time",
            lastFetched::size),
        new Count(
            StatsFields.SOURCE_QUEUES,
            ServerMetrics.SOURCE_QUEUES,
            "sources with git work pending",
            queues::size),
        new Count(
            StatsFields.CLONE_DIRS,
            ServerMetrics.CLONE_DIRS,
            "directories under git_sources",
            cloneDirs),
        new Count(
            StatsFields.CACHED_BUNDLES,
            ServerMetrics.CACHED_BUNDLES,
            "cached bundles",
            bundleCache::size),
        new Count(
            StatsFields.SERVED_BUNDLES,
            ServerMetrics.SERVED_BUNDLES,
            "bundles the HTTP edge answers from the served-bundle index",
            served::answers),
        new Count(
            StatsFields.OWNED_SOURCES,
            ServerMetrics.SHARD_OWNED_SOURCES,
            "sources this node holds and owns in its fetcher view",
            owned));
  }

  /** The counts as stats fields, in the table's order. */
  static JsonObject stats(List<Count> counts) {
    JsonObject stats = new JsonObject();
    for (Count count : counts) {
      stats.put(count.statsField(), count.value().getAsInt());
    }
    return stats;
  }

  /**
   * Registers every count as a gauge, with the gauges that have no stats field: the queues' jobs,
   * the cache's bytes and the scopes' sync ages.
   */
  static void register(
      ServerMetrics metrics,
      List<Count> counts,
      SourceQueues queues,
      BundleCache cache,
      ScopeFreshness freshness,
      Clock clock) {
    for (Count count : counts) {
      metrics.gauge(count.metric(), count.description(), () -> count.value().getAsInt());
    }
    metrics.gauge(ServerMetrics.SOURCE_QUEUE_JOBS, "git jobs pending or running", queues::jobs);
    metrics.gauge(ServerMetrics.BUNDLE_CACHE_BYTES, "bytes of cached bundles", cache::bytes);
    metrics.gauge(
        ServerMetrics.SCOPE_SYNC_AGE + "_max",
        "seconds since the stalest scope last synced",
        () -> freshness.maxAgeSeconds(clock.millis()));
    for (long seconds : ServerMetrics.AGE_BUCKETS) {
      metrics.gauge(
          ServerMetrics.SCOPES_SYNCED_WITHIN,
          "scopes whose last successful sync is this recent",
          "seconds",
          String.valueOf(seconds),
          () -> freshness.syncedWithin(seconds, clock.millis()));
    }
    metrics.gauge(
        ServerMetrics.SCOPES_SYNCED_WITHIN,
        "scopes whose last successful sync is this recent",
        "seconds",
        "+Inf",
        freshness::size);
  }
}
