package dev.scopesync.git;

import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;

/**
 * Reads a clone's remote-tracking branches ({@code refs/remotes/<remote>/*}) and their commits:
 * what bundle requests serve until the next sync. Reads only.
 */
public final class RemoteHeads {
  private final Repository repo;
  private String remote = RemoteCommand.REMOTE;

  /** Every remote branch by short name. */
  record Result(Map<String, ObjectId> branches) {
    /** The branch's commit, or null when the remote has no such branch. */
    ObjectId of(String branch) {
      return branches.get(branch);
    }

    /** Branch name to commit hash, as a {@link SyncResult} carries them. */
    Map<String, String> hashes() {
      Map<String, String> hashes = new TreeMap<>();
      branches.forEach((name, id) -> hashes.put(name, id.name()));
      return Map.copyOf(hashes);
    }
  }

  /**
   * @param repo the clone; not closed here
   */
  RemoteHeads(Repository repo) {
    this.repo = Objects.requireNonNull(repo, "repo");
  }

  /** The remote whose branches are read; {@value RemoteCommand#REMOTE} by default. */
  RemoteHeads setRemote(String remote) {
    this.remote = Objects.requireNonNull(remote, "remote");
    return this;
  }

  Result call() throws IOException {
    String prefix = Constants.R_REMOTES + remote + "/";
    Map<String, ObjectId> heads = new TreeMap<>();
    for (Ref ref : repo.getRefDatabase().getRefsByPrefix(prefix)) {
      if (!ref.isSymbolic() && ref.getObjectId() != null) {
        heads.put(ref.getName().substring(prefix.length()), ref.getObjectId());
      }
    }
    return new Result(Map.copyOf(heads));
  }

  /** One branch's commit on the default remote, or null; one ref read, no listing. */
  public static ObjectId of(Repository repo, String branch) throws IOException {
    Ref ref = repo.exactRef(Constants.R_REMOTES + RemoteCommand.REMOTE + "/" + branch);
    return ref == null ? null : ref.getObjectId();
  }
}
