package dev.scopesync.fetcher;

import dev.scopesync.git.RepositoryHandles;
import dev.scopesync.metrics.ServerMetrics;
import dev.scopesync.serving.ServedBundles;
import java.time.Clock;
import java.util.Map;
import java.util.function.IntSupplier;

/** The fetcher's gauges (DESIGN §10): what it holds, read from any thread at scrape time. */
final class FetcherGauges {
  private FetcherGauges() {}

  static void register(
      ServerMetrics metrics,
      RepositoryHandles handles,
      Map<String, ?> lastFetched,
      SourceQueues queues,
      IntSupplier cloneDirs,
      BundleCache cache,
      ServedBundles served,
      ScopeFreshness freshness,
      Clock clock) {
    metrics.gauge(ServerMetrics.REPOSITORIES_OPEN, "open Repository handles", handles::size);
    metrics.gauge(
        ServerMetrics.LAST_FETCHED_ENTRIES, "sources with a last-fetched time", lastFetched::size);
    metrics.gauge(ServerMetrics.SOURCE_QUEUES, "sources with git work pending", queues::size);
    metrics.gauge(ServerMetrics.SOURCE_QUEUE_JOBS, "git jobs pending or running", queues::jobs);
    metrics.gauge(
        ServerMetrics.CLONE_DIRS, "directories under git_sources", () -> cloneDirs.getAsInt());
    metrics.gauge(ServerMetrics.BUNDLE_CACHE_BYTES, "bytes of cached bundles", cache::bytes);
    metrics.gauge(ServerMetrics.CACHED_BUNDLES, "cached bundles", cache::size);
    metrics.gauge(
        ServerMetrics.SERVED_BUNDLES,
        "bundles the HTTP edge answers from the served-bundle index",
        served::answers);
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
