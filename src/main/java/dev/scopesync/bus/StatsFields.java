package dev.scopesync.bus;

import java.util.List;

/** The fields of {@code /internal/stats} and {@code scopesync.stats} (DESIGN §6), in one place. */
public final class StatsFields {
  public static final String SCOPES = "scopes";
  public static final String REPOS = "repos";
  public static final String LAST_FETCHED = "last_fetched";
  public static final String SOURCE_QUEUES = "source_queues";
  public static final String CLONE_DIRS = "clone_dirs";
  public static final String CACHED_BUNDLES = "cached_bundles";

  /**
   * Answers in the served-bundle index (DESIGN §18): bounded by the cache, 0 once no scope is left.
   */
  public static final String SERVED_BUNDLES = "served_bundles";

  public static final String OPEN_FDS = "open_fds";
  public static final String HEAP_USED_BYTES = "heap_used_bytes";
  public static final String RSS_KB = "rss_kb";
  public static final String CLUSTER_NODES = "cluster_nodes";

  /** Fetcher members in this node's adopted view (SHARDING.md §3.7). */
  public static final String SHARD_MEMBERS = "shard_members";

  /** How many views this node adopted. */
  public static final String SHARD_VIEW_VERSION = "shard_view_version";

  /** Sources this node holds a clone of and owns in its view (all it holds while R = 0). */
  public static final String OWNED_SOURCES = "owned_sources";

  /** Sources held for owners that are not ready yet (make-before-break, SHARDING.md §3.6). */
  public static final String RELEASING_SOURCES = "releasing_sources";

  /** Sources this node owns and is cloning or seeding: held, not serving yet. */
  public static final String ACQUIRING_SOURCES = "acquiring_sources";

  /**
   * Present only while the node is frozen (SHARDING.md §3.1): why (too few fetchers, two members
   * with one name, a member with another fingerprint).
   */
  public static final String SHARD_FROZEN = "shard_frozen";

  public static final List<String> ALL =
      List.of(
          SCOPES,
          REPOS,
          LAST_FETCHED,
          SOURCE_QUEUES,
          CLONE_DIRS,
          CACHED_BUNDLES,
          SERVED_BUNDLES,
          OPEN_FDS,
          HEAP_USED_BYTES,
          RSS_KB,
          CLUSTER_NODES,
          SHARD_MEMBERS,
          SHARD_VIEW_VERSION,
          OWNED_SOURCES,
          RELEASING_SOURCES,
          ACQUIRING_SOURCES);

  private StatsFields() {}
}
