package dev.scopesync.git;

import java.io.IOException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;

/**
 * The scopes' own refs in the clones, read and written outside a sync: what a holder tells a new
 * owner, the new owner's seed from it (SHARDING.md §3.5), a deleted scope's ref. A source without a
 * clone is left alone: nothing here ever creates one. Blocking: run on a git worker, in the
 * source's queue when it writes.
 */
public final class ScopeRefs {
  private final RepositoryHandles handles;
  private final CloneDirectories clones;

  ScopeRefs(RepositoryHandles handles, CloneDirectories clones) {
    this.handles = handles;
    this.clones = clones;
  }

  /**
   * The commit each scope's ref points at in the source's clone; scopes without a ref (or without a
   * clone) are absent.
   */
  public Map<String, String> of(String sourceId, Collection<String> scopeIds) throws IOException {
    Map<String, String> refs = new HashMap<>();
    if (!clones.cloned(sourceId)) {
      return refs;
    }
    try (RepositoryHandles.Lease lease = handles.lease(sourceId, clones.of(sourceId))) {
      for (String scopeId : scopeIds) {
        Ref ref = lease.repository().exactRef(ScopeRef.of(scopeId));
        if (ref != null && ref.getObjectId() != null) {
          refs.put(scopeId, ref.getObjectId().name());
        }
      }
    }
    return refs;
  }

  /**
   * Seeds a new clone's scope refs with what the source's previous holder announced (SHARDING.md
   * §3.5): each scope's ref moves to the holder's commit when the clone has it; a scope the holder
   * had no commit for, or whose commit the clone lacks, loses its ref, so that its next sync
   * announces it as first seen rather than staying silent about a change.
   */
  public void seed(String sourceId, Collection<String> scopeIds, Map<String, String> seed)
      throws IOException {
    if (!clones.cloned(sourceId)) {
      return;
    }
    try (RepositoryHandles.Lease lease = handles.lease(sourceId, clones.of(sourceId))) {
      Repository repo = lease.repository();
      for (String scopeId : scopeIds) {
        String commit = seed.get(scopeId);
        ObjectId id = commit == null || !ObjectId.isId(commit) ? null : ObjectId.fromString(commit);
        if (id != null && SourceSync.exists(repo, id)) {
          new MoveScopeRef(repo, scopeId).setTarget(id).call();
        } else {
          new DeleteScopeRef(repo, scopeId).call();
        }
      }
    }
  }

  /** Removes a scope's own ref from a clone; a missing clone or ref is fine. */
  public void delete(String sourceId, String scopeId) throws IOException {
    if (!clones.cloned(sourceId)) {
      return;
    }
    try (RepositoryHandles.Lease lease = handles.lease(sourceId, clones.of(sourceId))) {
      new DeleteScopeRef(lease.repository(), scopeId).call();
    }
  }
}
