package dev.scopesync.config;

import java.util.regex.Pattern;

/**
 * The sharding settings of DESIGN §19 and SHARDING.md §3.7 ({@code cluster.*}). With {@code
 * replicas} 0 (the default) every node clones every source, as before sharding.
 *
 * @param replicas R, the fetcher nodes that own each source; 0 = every node
 * @param nodeName this node's stable name, or null: a UUID kept under {@code git.baseDir}
 * @param minFetchers below this many fetcher members a node freezes (acquires and releases nothing)
 *     once sharding acts on views
 * @param settleMillis how long a new membership must hold before it is adopted
 * @param forwardTimeoutMillis how long a bundle request forwarded to an owner may take, per try
 * @param releaseTimeoutSeconds how long a node keeps a source it no longer owns while the new
 *     owners are not ready; then it purges anyway
 * @param leaveGraceSeconds how long a dead member's sources wait before they are acquired
 * @param weight this node's share of the sources relative to the others' (0 = owns none)
 */
public record ShardSettings(
    int replicas,
    String nodeName,
    int minFetchers,
    int settleMillis,
    int forwardTimeoutMillis,
    int releaseTimeoutSeconds,
    int leaveGraceSeconds,
    int weight) {
  /** A node name: letters, digits, {@code .}, {@code _} and {@code -}; 1 to 64 characters. */
  public static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  public ShardSettings {
    if (nodeName != null && !NODE_NAME.matcher(nodeName).matches()) {
      throw new ConfigException(
          "config key 'cluster.nodeName' must be 1 to 64 letters, digits, '.', '_' or '-', got '"
              + nodeName
              + "'");
    }
  }

  /** Whether sources are shared out (R ≥ 1) rather than cloned by every node. */
  public boolean sharded() {
    return replicas > 0;
  }
}
