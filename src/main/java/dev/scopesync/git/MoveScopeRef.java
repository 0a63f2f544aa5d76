package dev.scopesync.git;

import java.io.IOException;
import java.util.Objects;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;

/**
 * Moves a scope's own ref ({@link ScopeRef}) in a clone to a commit, creating it when the scope has
 * none yet; forced, because a remote branch may be rewritten.
 */
final class MoveScopeRef {
  private final Repository repo;
  private final String scopeId;
  private ObjectId target;

  /** The ref before and after; {@code oldId} is null when the ref was new. */
  record Result(String refName, ObjectId oldId, ObjectId newId, RefUpdate.Result update) {}

  /**
   * @param repo the clone; not closed here
   */
  MoveScopeRef(Repository repo, String scopeId) {
    this.repo = Objects.requireNonNull(repo, "repo");
    this.scopeId = Objects.requireNonNull(scopeId, "scopeId");
  }

  /** The commit to move to; required. */
  MoveScopeRef setTarget(ObjectId target) {
    this.target = Objects.requireNonNull(target, "target").copy();
    return this;
  }

  /**
   * @throws IOException when the ref could not be written
   */
  Result call() throws IOException {
    if (target == null) {
      throw new IllegalStateException(
          "no target commit for the ref of scope " + scopeId + ": call setTarget first");
    }
    String refName = ScopeRef.of(scopeId);
    RefUpdate update = repo.updateRef(refName);
    update.setNewObjectId(target);
    update.setForceUpdate(true);
    RefUpdate.Result result = update.update();
    switch (result) {
      case NEW, FORCED, FAST_FORWARD, NO_CHANGE -> {}
      default ->
          throw new IOException(
              "could not move " + refName + " to " + target.name() + ": " + result);
    }
    ObjectId old = update.getOldObjectId();
    return new Result(
        refName, old == null || ObjectId.zeroId().equals(old) ? null : old.copy(), target, result);
  }
}
