package dev.scopesync.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.RefSpec;

/**
 * A real remote for tests: a bare repository on disk (served as {@code file://} or by {@link
 * GitDaemon}) plus a private working clone to make commits with.
 */
public final class GitRemote implements AutoCloseable {
  private final Path bare;
  private final Git work;

  private GitRemote(Path bare, Git work) {
    this.bare = bare;
    this.work = work;
  }

  /** Creates {@code <root>/<name>.git} (bare) and a working copy beside it. */
  public static GitRemote create(Path root, String name) throws IOException, GitAPIException {
    Path bare = root.resolve(name + ".git");
    Git.init().setBare(true).setDirectory(bare.toFile()).setInitialBranch("main").call().close();
    Path workDir = root.resolve(".work-" + name);
    Git work = Git.init().setDirectory(workDir.toFile()).setInitialBranch("main").call();
    work.getRepository().getConfig().setString("remote", "origin", "url", bare.toUri().toString());
    work.getRepository().getConfig().save();
    return new GitRemote(bare, work);
  }

  public Path barePath() {
    return bare;
  }

  /** The remote as a {@code file://} url. */
  public String fileUrl() {
    return "file://" + bare.toAbsolutePath();
  }

  public String name() {
    String file = bare.getFileName().toString();
    return file.substring(0, file.length() - ".git".length());
  }

  /** Commits the given files (path -> content; null content deletes) on a branch and pushes it. */
  public String commit(String branch, String message, Map<String, String> files)
      throws IOException, GitAPIException {
    checkout(branch);
    for (Map.Entry<String, String> e : files.entrySet()) {
      Path file = work.getRepository().getWorkTree().toPath().resolve(e.getKey());
      if (e.getValue() == null) {
        Files.deleteIfExists(file);
        work.rm().addFilepattern(e.getKey()).call();
      } else {
        Files.createDirectories(file.getParent());
        Files.writeString(file, e.getValue(), StandardCharsets.UTF_8);
        work.add().addFilepattern(e.getKey()).call();
      }
    }
    RevCommit commit =
        work.commit()
            .setMessage(message)
            .setAllowEmpty(true)
            .setAuthor("test", "test@example.com")
            .setCommitter("test", "test@example.com")
            .call();
    work.push()
        .setRemote("origin")
        .setRefSpecs(new RefSpec("+refs/heads/" + branch + ":refs/heads/" + branch))
        .call();
    return commit.name();
  }

  public String commit(String message, Map<String, String> files)
      throws IOException, GitAPIException {
    return commit("main", message, files);
  }

  private void checkout(String branch) throws IOException, GitAPIException {
    String current = work.getRepository().getBranch();
    if (branch.equals(current)) {
      return;
    }
    ObjectId exists = work.getRepository().resolve("refs/heads/" + branch);
    boolean unborn = work.getRepository().resolve("HEAD") == null;
    if (unborn) {
      work.getRepository().updateRef("HEAD").link("refs/heads/" + branch);
      return;
    }
    work.checkout().setName(branch).setCreateBranch(exists == null).call();
  }

  @Override
  public void close() {
    work.close();
  }
}
