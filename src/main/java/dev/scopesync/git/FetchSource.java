package dev.scopesync.git;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.FetchResult;
import org.eclipse.jgit.transport.TrackingRefUpdate;

/**
 * Fetches every branch of an existing clone's remote {@value #REMOTE} into its remote-tracking refs
 * (the clone's refspec), through JGit's {@code FetchProcess}: its ref updates write loose refs over
 * the packed ones a {@link CloneSource} wrote, as git does. Creates nothing outside the clone, so a
 * failure leaves nothing to clean up.
 */
final class FetchSource extends RemoteCommand<FetchSource> {
  private final Repository repo;

  /** What a fetch changed. */
  record Result(Map<String, ObjectId> movedRefs) {}

  /**
   * @param repo the clone; not closed here
   */
  FetchSource(Repository repo) {
    this.repo = Objects.requireNonNull(repo, "repo");
  }

  /**
   * @return every remote-tracking ref that the fetch created or moved, and its new commit
   * @throws GitFailure when the remote could not be fetched
   */
  Result call() throws GitFailure {
    String url = repo.getConfig().getString("remote", REMOTE, "url");
    FetchResult fetched =
        overTransport(repo, "fetch", url, (transport, deadline) -> transport.fetch(deadline, null));
    Map<String, ObjectId> moved = new TreeMap<>();
    for (TrackingRefUpdate update : fetched.getTrackingRefUpdates()) {
      if (update.getResult() != RefUpdate.Result.NO_CHANGE) {
        moved.put(update.getLocalName(), update.getNewObjectId());
      }
    }
    return new Result(Collections.unmodifiableMap(moved));
  }
}
