package dev.scopesync.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.scopesync.testing.GitRemote;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A clone against a real remote on disk: what it writes, and that a failure removes only what it
 * made.
 */
class CloneSourceTest {
  private static final String S1 = sourceId(1);
  private static final String S2 = sourceId(2);

  @TempDir Path dir;

  private GitRemote remote;
  private CloneDirectories clones;
  private String main;
  private String feature;

  @BeforeEach
  void makeRemote() throws Exception {
    remote = GitRemote.create(dir.resolve("remotes"), "policies");
    main = remote.commit("init", Map.of("rbac/rbac.rego", "package rbac\n"));
    feature = remote.commit("feature", "on a branch", Map.of("f.rego", "package f\n"));
    clones = new CloneDirectories(dir.resolve("clones"));
  }

  @AfterEach
  void closeRemote() {
    remote.close();
  }

  @Test
  void aCloneFetchesEveryBranchAndStartsTheScopeRefAtItsBranch() throws Exception {
    CloneSource.Result result =
        new CloneSource(clones, S1, remote.fileUrl())
            .setBranch("main")
            .setScopeRef(ScopeRef.of("tenant-a"))
            .call();

    assertEquals(clones.of(S1), result.directory());
    assertEquals(
        Map.of("main", ObjectId.fromString(main), "feature", ObjectId.fromString(feature)),
        result.branches());
    try (Repository repo = open(result.directory())) {
      assertEquals(main, repo.exactRef("refs/remotes/origin/main").getObjectId().name());
      assertEquals(feature, repo.exactRef("refs/remotes/origin/feature").getObjectId().name());
      assertEquals(main, repo.exactRef("refs/heads/scopes/tenant-a").getObjectId().name());
      assertEquals("refs/heads/main", repo.getFullBranch());
    }
    assertEquals(
        new CloneDirectories.Listing(List.of(S1), 0),
        clones.list(),
        "no scratch directory is left");
  }

  @Test
  void aRemoteWithoutTheBranchStillClonesAndWritesNoScopeRef() throws Exception {
    CloneSource.Result result =
        new CloneSource(clones, S1, remote.fileUrl())
            .setBranch("release")
            .setScopeRef(ScopeRef.of("tenant-a"))
            .call();

    assertEquals(2, result.branches().size());
    try (Repository repo = open(result.directory())) {
      assertNull(repo.exactRef("refs/heads/scopes/tenant-a"));
      assertEquals("refs/heads/release", repo.getFullBranch());
    }
  }

  @Test
  void aFailedCloneRemovesItsScratchDirectoryAndNothingElse() throws Exception {
    Path neighbour = Files.writeString(Files.createDirectories(clones.of(S2)).resolve("keep"), "x");

    GitFailure failure =
        assertThrows(
            GitFailure.class,
            () ->
                new CloneSource(clones, S1, "file://" + dir.resolve("remotes/missing.git")).call());

    assertEquals(GitFailure.Kind.NOT_FOUND, failure.kind(), failure.getMessage());
    assertEquals(
        new CloneDirectories.Listing(List.of(S2), 0), clones.list(), "only the neighbour is left");
    assertEquals("x", Files.readString(neighbour));
  }

  @Test
  void aCloneNeverReplacesADirectoryThatIsInTheWay() throws Exception {
    Path inTheWay = Files.writeString(Files.createDirectories(clones.of(S1)).resolve("keep"), "x");

    assertThrows(
        IOException.class,
        () -> new CloneSource(clones, S1, remote.fileUrl()).setBranch("main").call());

    assertEquals("x", Files.readString(inTheWay), "what was there is left alone");
    try (var entries = Files.list(clones.of(S1))) {
      assertEquals(List.of(inTheWay), entries.toList());
    }
    assertEquals(
        new CloneDirectories.Listing(List.of(S1), 0),
        clones.list(),
        "the scratch directory is gone");
  }

  /** A source id of the shape clone directories are named by (SourceId.SHAPE). */
  static String sourceId(int n) {
    return "%064x-0".formatted(n);
  }

  static Repository open(Path clone) throws IOException {
    return new FileRepositoryBuilder()
        .setGitDir(clone.resolve(".git").toFile())
        .setMustExist(true)
        .build();
  }
}
