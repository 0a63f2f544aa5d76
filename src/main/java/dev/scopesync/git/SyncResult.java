package dev.scopesync.git;

import java.time.Instant;
import java.util.Map;
import java.util.SortedSet;

/**
 * What a sync did and found.
 *
 * @param fetchedAt when a clone or fetch completed, or null when the remote was not contacted
 * @param oldCommit the scope's previously seen commit, or null on its first sync
 * @param changedDirectories directories whose bundle files changed; empty = bundle unchanged
 * @param remoteHeads every remote branch of the clone and its commit, as the sync left them
 */
public record SyncResult(
    boolean cloned,
    Instant fetchedAt,
    String oldCommit,
    String newCommit,
    SortedSet<String> changedDirectories,
    Map<String, String> remoteHeads) {
  public boolean policyChanged() {
    return !changedDirectories.isEmpty();
  }
}
