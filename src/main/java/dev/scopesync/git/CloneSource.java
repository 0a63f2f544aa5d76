package dev.scopesync.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Objects;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.ConfigConstants;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.util.FS;

/**
 * Clones a source into its clone directory: an empty repository in a scratch directory ({@link
 * #initClone}), its {@link FirstFetch} of every branch, then a move into place, so a crash never
 * leaves half a clone. Not JGit's CloneCommand: only objects and remote refs are needed (bundles
 * are read from git objects), a remote whose HEAD names a missing branch must still clone, and the
 * repository must be configured before its first fetch (see {@link #ownGc}).
 *
 * <p>A failed clone removes its scratch directory and nothing else: the target directory is only
 * ever written by the final move, and must not exist before it.
 */
final class CloneSource extends RemoteCommand<CloneSource> {
  private final CloneDirectories clones;
  private final String sourceId;
  private final String url;
  private String branch = Constants.MASTER;
  private String scopeRef;

  /** What a clone made. */
  record Result(Path directory, Map<String, ObjectId> branches) {}

  CloneSource(CloneDirectories clones, String sourceId, String url) {
    this.clones = Objects.requireNonNull(clones, "clones");
    this.sourceId = Objects.requireNonNull(sourceId, "sourceId");
    this.url = Objects.requireNonNull(url, "url");
  }

  /** The branch the clone's HEAD names; {@code master} by default. */
  CloneSource setBranch(String branch) {
    this.branch = Objects.requireNonNull(branch, "branch");
    return this;
  }

  /**
   * A scope ref to write at the branch's commit, so that the scope that asked for the clone starts
   * there; none by default.
   */
  CloneSource setScopeRef(String scopeRef) {
    this.scopeRef = Objects.requireNonNull(scopeRef, "scopeRef");
    return this;
  }

  /**
   * @throws GitFailure when the remote could not be fetched
   * @throws IOException when the clone could not be written (or its directory already exists)
   */
  Result call() throws GitFailure, IOException {
    Path dir = clones.of(sourceId);
    Path scratch = clones.newScratch(sourceId);
    try {
      Map<String, ObjectId> branches;
      try (Repository repo = initClone(scratch.resolve(Constants.DOT_GIT), url, branch)) {
        branches =
            overTransport(
                repo,
                "clone",
                url,
                (transport, deadline) ->
                    FirstFetch.run(repo, transport, REMOTE, deadline, scopeRef, branch));
      }
      try {
        Files.move(scratch, dir, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(scratch, dir);
      }
      return new Result(dir, branches);
    } finally {
      CloneDirectories.deleteTree(scratch);
    }
  }

  /**
   * JGit runs an automatic gc after every fetch, by default detached on a background thread: in a
   * scratch directory about to be moved, or a clone about to be purged, that thread leaves stale
   * {@code gc.log.lock} files and races the move. Run it in the foreground instead, inside the
   * source's queue, where nothing else touches the clone.
   */
  static void ownGc(Config config) {
    config.setBoolean("gc", null, "autoDetach", false);
  }

  /**
   * An empty repository ready for its first fetch, written directly in git's layout: HEAD naming
   * the branch, the config (remote {@value #REMOTE}, foreground gc, no reflogs), {@code
   * objects/pack} and {@code refs}. That is all git and JGit need to open it.
   *
   * <p>Not JGit's InitCommand, which in a scratch directory nobody else sees does needless work: it
   * reads {@code GIT_DIR} and friends from the environment, makes {@code hooks}, {@code branches},
   * {@code refs/tags} and {@code objects/info}, probes the file system with temporary files and
   * writes HEAD and the config twice each through lock files. Creating files is what a clone mostly
   * costs on a busy ext4 file system (the kernel searches for a free inode each time): with this
   * and without reflogs a first clone creates 17 files and directories instead of 30. Reflogs are
   * off because nothing reads them and each ref's would add a file and its directories.
   */
  static Repository initClone(Path gitDir, String url, String branch) throws IOException {
    Files.createDirectories(gitDir.resolve(Constants.OBJECTS).resolve("pack"));
    Files.createDirectory(gitDir.resolve("refs"));
    Files.writeString(gitDir.resolve(Constants.HEAD), "ref: " + Constants.R_HEADS + branch + "\n");
    Config config = new Config();
    config.setInt(
        ConfigConstants.CONFIG_CORE_SECTION,
        null,
        ConfigConstants.CONFIG_KEY_REPO_FORMAT_VERSION,
        0);
    config.setBoolean(
        ConfigConstants.CONFIG_CORE_SECTION,
        null,
        ConfigConstants.CONFIG_KEY_FILEMODE,
        FS.DETECTED.supportsExecute());
    config.setBoolean(
        ConfigConstants.CONFIG_CORE_SECTION, null, ConfigConstants.CONFIG_KEY_BARE, false);
    config.setBoolean(
        ConfigConstants.CONFIG_CORE_SECTION,
        null,
        ConfigConstants.CONFIG_KEY_LOGALLREFUPDATES,
        false);
    config.setString("remote", REMOTE, "url", url);
    config.setString(
        "remote",
        REMOTE,
        "fetch",
        "+" + Constants.R_HEADS + "*:" + Constants.R_REMOTES + REMOTE + "/*");
    ownGc(config);
    Files.writeString(gitDir.resolve(Constants.CONFIG), config.toText(), StandardCharsets.UTF_8);
    return new FileRepositoryBuilder().setGitDir(gitDir.toFile()).setMustExist(true).build();
  }
}
