package dev.scopesync.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.scopesync.testing.GitRemote;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A later fetch into a clone, and reading the clone's remote branches, against a real remote on
 * disk.
 */
class FetchSourceTest {
  @TempDir Path dir;

  private GitRemote remote;
  private Repository clone;
  private String main;
  private String feature;

  @BeforeEach
  void cloneRemote() throws Exception {
    remote = GitRemote.create(dir.resolve("remotes"), "policies");
    main = remote.commit("init", Map.of("a.rego", "package a\n"));
    feature = remote.commit("feature", "on a branch", Map.of("f.rego", "package f\n"));
    CloneDirectories clones = new CloneDirectories(dir.resolve("clones"));
    clone =
        CloneSourceTest.open(
            new CloneSource(clones, CloneSourceTest.sourceId(1), remote.fileUrl())
                .setBranch("main")
                .call()
                .directory());
  }

  @AfterEach
  void closeAll() {
    try (GitRemote r = remote;
        Repository c = clone) {
      // both closed, each even if the other fails
    }
  }

  @Test
  void aFetchMovesTheRefsOfBranchesThatChangedOrAppeared() throws Exception {
    String main2 = remote.commit("main", "second", Map.of("a.rego", "package a2\n"));
    String dev = remote.commit("dev", "new branch", Map.of("d.rego", "package d\n"));

    FetchSource.Result result = new FetchSource(clone).call();

    assertEquals(
        Map.of(
            "refs/remotes/origin/main",
            ObjectId.fromString(main2),
            "refs/remotes/origin/dev",
            ObjectId.fromString(dev)),
        result.movedRefs());
    assertEquals(
        Map.of("main", main2, "dev", dev, "feature", feature),
        new RemoteHeads(clone).call().hashes());
  }

  @Test
  void aFetchWithNothingNewMovesNothing() throws Exception {
    assertEquals(Map.of(), new FetchSource(clone).call().movedRefs());
    assertEquals(ObjectId.fromString(main), RemoteHeads.of(clone, "main"));
  }

  @Test
  void aFailedFetchLeavesTheRemoteBranchesAsTheyWere() throws Exception {
    remote.commit("main", "second", Map.of("a.rego", "package a2\n"));
    StoredConfig config = clone.getConfig();
    config.setString("remote", "origin", "url", "file://" + dir.resolve("remotes/missing.git"));
    config.save();

    GitFailure failure = assertThrows(GitFailure.class, () -> new FetchSource(clone).call());

    assertEquals(GitFailure.Kind.NOT_FOUND, failure.kind(), failure.getMessage());
    assertEquals(Map.of("main", main, "feature", feature), new RemoteHeads(clone).call().hashes());
  }

  @Test
  void remoteHeadsReadOnlyTheRemotesBranchesAndSkipSymbolicRefs() throws Exception {
    clone.updateRef("refs/remotes/origin/HEAD").link("refs/remotes/origin/main");
    clone.updateRef("refs/remotes/upstream/other").link("refs/remotes/origin/main");

    RemoteHeads.Result heads = new RemoteHeads(clone).call();

    assertEquals(
        Map.of("main", ObjectId.fromString(main), "feature", ObjectId.fromString(feature)),
        heads.branches());
    assertEquals(ObjectId.fromString(feature), heads.of("feature"));
    assertEquals(null, heads.of("dev"));
  }
}
