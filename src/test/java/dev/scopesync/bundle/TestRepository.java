package dev.scopesync.bundle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;

/**
 * A real git repository on disk for tests: each call changes the work tree and the index, and
 * {@link #commit} records a real commit. The test that opens it closes it.
 */
final class TestRepository implements AutoCloseable {

  private final Git git;
  private final Path workTree;
  private long clock = 1_700_000_000L;

  private TestRepository(Git git, Path workTree) {
    this.git = git;
    this.workTree = workTree;
  }

  static TestRepository init(Path directory) throws GitAPIException {
    return new TestRepository(
        Git.init().setDirectory(directory.toFile()).setInitialBranch("master").call(), directory);
  }

  Repository repository() {
    return git.getRepository();
  }

  TestRepository write(String path, String text) throws IOException, GitAPIException {
    return write(path, text.getBytes(StandardCharsets.UTF_8));
  }

  TestRepository write(String path, byte[] content) throws IOException, GitAPIException {
    Path file = workTree.resolve(path);
    Files.createDirectories(file.getParent());
    Files.write(file, content);
    git.add().addFilepattern(path).call();
    return this;
  }

  TestRepository append(String path, String text) throws IOException, GitAPIException {
    Files.writeString(workTree.resolve(path), text, StandardOpenOption.APPEND);
    git.add().addFilepattern(path).call();
    return this;
  }

  TestRepository delete(String path) throws GitAPIException {
    git.rm().addFilepattern(path).call();
    return this;
  }

  TestRepository rename(String from, String to) throws IOException, GitAPIException {
    Path target = workTree.resolve(to);
    Files.createDirectories(target.getParent());
    Files.move(workTree.resolve(from), target);
    git.rm().setCached(true).addFilepattern(from).call();
    git.add().addFilepattern(to).call();
    return this;
  }

  TestRepository symlink(String path, String target) throws IOException, GitAPIException {
    Path link = workTree.resolve(path);
    Files.createDirectories(link.getParent());
    Files.createSymbolicLink(link, Path.of(target));
    git.add().addFilepattern(path).call();
    return this;
  }

  TestRepository makeExecutable(String path) throws IOException, GitAPIException {
    workTree.resolve(path).toFile().setExecutable(true);
    git.add().addFilepattern(path).call();
    return this;
  }

  /** Commits what was staged, with a fixed author and a clock that ticks once per commit. */
  ObjectId commit(String message) throws GitAPIException {
    PersonIdent ident =
        new PersonIdent(
            "Jane Doe", "jane@example.com", Instant.ofEpochSecond(clock++), ZoneOffset.UTC);
    return git.commit()
        .setMessage(message)
        .setAuthor(ident)
        .setCommitter(ident)
        .setSign(false)
        .setAllowEmpty(true)
        .call()
        .getId();
  }

  /** Writes one file and commits it, as OPAL's {@code create_new_file_commit} does. */
  ObjectId commitFile(String path, String text) throws IOException, GitAPIException {
    return write(path, text).commit("add " + path);
  }

  @Override
  public void close() {
    git.getRepository().close();
    git.close();
  }
}
