package dev.scopesync.git;

import java.io.IOException;
import java.util.Objects;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;

/** Removes a scope's own ref ({@link ScopeRef}) from a clone; a missing ref is fine. */
final class DeleteScopeRef {
  private final Repository repo;
  private final String scopeId;

  /** {@code deletedId} is the commit the ref held, or null when there was no ref. */
  record Result(String refName, ObjectId deletedId) {}

  /**
   * @param repo the clone; not closed here
   */
  DeleteScopeRef(Repository repo, String scopeId) {
    this.repo = Objects.requireNonNull(repo, "repo");
    this.scopeId = Objects.requireNonNull(scopeId, "scopeId");
  }

  /**
   * @throws IOException when the ref exists and could not be deleted
   */
  Result call() throws IOException {
    String refName = ScopeRef.of(scopeId);
    Ref ref = repo.exactRef(refName);
    if (ref == null) {
      return new Result(refName, null);
    }
    RefUpdate update = repo.updateRef(refName);
    update.setForceUpdate(true);
    RefUpdate.Result result = update.delete();
    if (result != RefUpdate.Result.FORCED && result != RefUpdate.Result.NO_CHANGE) {
      throw new IOException("could not delete " + refName + ": " + result);
    }
    return new Result(refName, ref.getObjectId());
  }
}
