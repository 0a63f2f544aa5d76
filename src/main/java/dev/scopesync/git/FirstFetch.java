package dev.scopesync.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.ProgressMonitor;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.FetchConnection;
import org.eclipse.jgit.transport.Transport;

/**
 * A clone's first fetch, into an empty repository nobody else sees yet (a scratch directory): every
 * branch's objects in one pack, then every remote-tracking ref written at once as one {@code
 * packed-refs} file. JGit's {@code FetchProcess} would, on top of the same pack, hold a {@code
 * .keep} file on it, lock and write each ref as its own file (with its directories), rewrite {@code
 * packed-refs} under a lock and write {@code FETCH_HEAD}: about a dozen file creations, renames and
 * deletions per clone that nobody reads here, and creating files is most of what a small clone
 * costs on a busy file system. Later fetches into the clone use {@code FetchProcess}; its ref
 * updates write loose refs over these packed ones, as git does.
 */
final class FirstFetch {
  private FirstFetch() {}

  /**
   * Fetches every {@code refs/heads/*} of the transport's remote into {@code repo} as {@code
   * refs/remotes/<remote>/*}, and writes {@code scopeRef} at {@code branch}'s commit in the same
   * file (the scope that asked for the clone starts there); not when the remote has no such branch,
   * nor when {@code scopeRef} is null.
   *
   * @return every fetched branch (short name) and its commit
   */
  static Map<String, ObjectId> run(
      Repository repo,
      Transport transport,
      String remote,
      ProgressMonitor monitor,
      String scopeRef,
      String branch)
      throws IOException {
    List<Ref> branches = new ArrayList<>();
    try (FetchConnection connection = transport.openFetch()) {
      for (Ref ref : connection.getRefs()) {
        if (ref.getName().startsWith(Constants.R_HEADS)
            && !ref.isSymbolic()
            && ref.getObjectId() != null) {
          branches.add(ref);
        }
      }
      if (!branches.isEmpty()) {
        connection.fetch(monitor, branches, Set.of(), null);
      }
    }
    // What FetchProcess checks too: every branch's commit arrived (a remote may advertise
    // what it then fails to send).
    TreeMap<String, String> refs = new TreeMap<>();
    Map<String, ObjectId> fetched = new TreeMap<>();
    try (ObjectReader reader = repo.newObjectReader()) {
      for (Ref ref : branches) {
        if (!reader.has(ref.getObjectId())) {
          throw new TransportException(
              transport.getURI(),
              "the remote advertised "
                  + ref.getName()
                  + " at "
                  + ref.getObjectId().name()
                  + " but did not send it");
        }
        String shortName = ref.getName().substring(Constants.R_HEADS.length());
        refs.put(Constants.R_REMOTES + remote + "/" + shortName, ref.getObjectId().name());
        fetched.put(shortName, ref.getObjectId());
        if (scopeRef != null && shortName.equals(branch)) {
          refs.put(scopeRef, ref.getObjectId().name());
        }
      }
    }
    if (!refs.isEmpty()) {
      writePackedRefs(repo.getDirectory().toPath(), refs);
    }
    return Collections.unmodifiableMap(fetched);
  }

  /**
   * git's format, without traits: git and JGit sort the refs themselves (no "sorted" promise over
   * names that may not be ASCII) and peel them if ever asked.
   */
  private static void writePackedRefs(Path gitDir, TreeMap<String, String> refs)
      throws IOException {
    StringBuilder text = new StringBuilder();
    refs.forEach((name, id) -> text.append(id).append(' ').append(name).append('\n'));
    Files.writeString(gitDir.resolve(Constants.PACKED_REFS), text, StandardCharsets.UTF_8);
  }
}
