package dev.scopesync.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * scopesync's own series (DESIGN §6), named once here. No label ever holds a scope id, a url or a
 * secret: labels are small fixed sets (operation, outcome, bucket). Thread-safe (Micrometer meters
 * are).
 */
public final class ServerMetrics {
  public static final String SCOPES = "scopesync_scopes";
  public static final String REPOSITORIES_OPEN = "scopesync_repositories_open";
  public static final String LAST_FETCHED_ENTRIES = "scopesync_last_fetched_entries";
  public static final String SOURCE_QUEUES = "scopesync_source_queues";
  public static final String SOURCE_QUEUE_JOBS = "scopesync_source_queue_jobs";
  public static final String CLONE_DIRS = "scopesync_clone_dirs";
  public static final String BUNDLE_CACHE_BYTES = "scopesync_bundle_cache_bytes";
  public static final String CACHED_BUNDLES = "scopesync_cached_bundles";
  public static final String SERVED_BUNDLES = "scopesync_served_bundles";

  /** Sources this node holds and owns in its fetcher view (SHARDING.md §3.7). */
  public static final String SHARD_OWNED_SOURCES = "scopesync_shard_owned_sources";

  public static final String LONG_POLLS_HELD = "scopesync_long_polls_held";
  public static final String SCOPE_SYNC_AGE = "scopesync_scope_sync_age_seconds";
  public static final String SCOPES_SYNCED_WITHIN = "scopesync_scopes_synced_within";
  public static final String PUBSUB_CONNECTIONS = "scopesync_pubsub_connections";
  public static final String HTTP_CONNECTIONS = "scopesync_http_connections";

  /**
   * The labels of Vert.x's own series: never an event-bus address (scope ids) or a path. The HTTP
   * request series ({@link HttpRequestSeries}) carry exactly method, code and route.
   */
  public static final java.util.Set<io.vertx.micrometer.Label> VERTX_LABELS =
      java.util.Collections.unmodifiableSet(
          java.util.EnumSet.of(
              io.vertx.micrometer.Label.HTTP_METHOD,
              io.vertx.micrometer.Label.HTTP_CODE,
              io.vertx.micrometer.Label.HTTP_ROUTE,
              io.vertx.micrometer.Label.POOL_TYPE,
              io.vertx.micrometer.Label.POOL_NAME));

  /** Buckets (seconds) of the scope staleness histogram: how many scopes synced within each. */
  public static final long[] AGE_BUCKETS = {60, 300, 900, 3600, 21_600, 86_400};

  private final PrometheusMeterRegistry registry;

  /** Made once: counted on every cached bundle request, on the event loop (DESIGN §18). */
  private final Counter bundleCacheHits;

  public ServerMetrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
    this.bundleCacheHits =
        Counter.builder("scopesync_bundle_cache_hits")
            .description("bundle requests served from the cache")
            .register(registry);
  }

  /** A registry of its own (each node of a test JVM has one). */
  public static ServerMetrics create() {
    return new ServerMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** A gauge read at scrape time; the supplier must be cheap and non-blocking. */
  public void gauge(String name, String description, Supplier<Number> value) {
    Gauge.builder(name, value).description(description).register(registry);
  }

  /** One gauge series of a fixed-label family. */
  public void gauge(
      String name, String description, String label, String labelValue, Supplier<Number> value) {
    Gauge.builder(name, value).description(description).tag(label, labelValue).register(registry);
  }

  /**
   * A finished clone or fetch.
   *
   * @param op {@code clone} or {@code fetch}
   * @param outcome {@code ok}, {@code timeout}, {@code auth}, {@code not_found} or {@code error}
   */
  public void gitOperation(String op, String outcome, Duration took) {
    Counter.builder("scopesync_git_operations")
        .description("clones and fetches by outcome")
        .tags("op", op, "outcome", outcome)
        .register(registry)
        .increment();
    Timer.builder("scopesync_git_operation_seconds")
        .description("clone and fetch durations")
        .tag("op", op)
        .publishPercentileHistogram()
        .register(registry)
        .record(took);
  }

  /**
   * A bundle request this node forwarded to an owner (SHARDING.md §3.4).
   *
   * @param outcome {@code ok} (an owner answered), {@code next} (a candidate was not ready or did
   *     not answer, the next one was asked) or {@code unavailable} (none answered: 503)
   */
  public void shardForward(String outcome) {
    Counter.builder("scopesync_shard_forwards")
        .description("bundle requests forwarded to an owner, by outcome")
        .tag("outcome", outcome)
        .register(registry)
        .increment();
  }

  /** From a view change that moved sources to this node settling again (nothing in flight). */
  public void shardRebalance(Duration took) {
    Timer.builder("scopesync_shard_rebalance_seconds")
        .description("time from a fetcher view change to this node holding exactly what it owns")
        .register(registry)
        .record(took);
  }

  public void bundleBuilt() {
    Counter.builder("scopesync_bundle_builds")
        .description("bundles built (cache misses)")
        .register(registry)
        .increment();
  }

  public void bundleCacheHit() {
    bundleCacheHits.increment();
  }

  /**
   * @param outcome {@code ok}, {@code ignored}, {@code unauthorized} or {@code bad_request}
   */
  public void webhook(String outcome) {
    Counter.builder("scopesync_webhooks")
        .description("webhook requests by outcome")
        .tag("outcome", outcome)
        .register(registry)
        .increment();
  }

  public void policyUpdate() {
    Counter.builder("scopesync_policy_updates")
        .description("policy-updated events published")
        .register(registry)
        .increment();
  }

  /** {@code notify} frames written to OPAL clients' sockets. */
  public void pubsubNotifications(int frames) {
    Counter.builder("scopesync_pubsub_notifications")
        .description("notify frames sent to OPAL clients")
        .register(registry)
        .increment(frames);
  }

  /**
   * A refused upgrade or subscription, or a connection closed for the server's sake.
   *
   * @param reason {@code unauthorized}, {@code too_many_connections}, {@code forbidden_topics} or
   *     {@code slow_client}
   */
  public void pubsubRejected(String reason) {
    Counter.builder("scopesync_pubsub_rejected")
        .description("OPAL client upgrades, subscriptions and" + " connections refused, by reason")
        .tag("reason", reason)
        .register(registry)
        .increment();
  }

  /**
   * A connection the HTTP edge closed.
   *
   * @param reason {@code header_timeout}, {@code body_timeout} or {@code too_many_connections}
   */
  public void httpDropped(String reason) {
    Counter.builder("scopesync_http_dropped")
        .description("HTTP connections closed by the edge, by reason")
        .tag("reason", reason)
        .register(registry)
        .increment();
  }
}
