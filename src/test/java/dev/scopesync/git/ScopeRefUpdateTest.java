package dev.scopesync.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.scopesync.testing.GitRemote;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Moving and deleting a scope's own ref in a real clone. */
class ScopeRefUpdateTest {
  @TempDir Path dir;

  private GitRemote remote;
  private Repository clone;
  private ObjectId first;
  private ObjectId second;

  @BeforeEach
  void cloneRemote() throws Exception {
    remote = GitRemote.create(dir.resolve("remotes"), "policies");
    first = ObjectId.fromString(remote.commit("init", Map.of("a.rego", "package a\n")));
    second = ObjectId.fromString(remote.commit("second", Map.of("a.rego", "package a2\n")));
    clone =
        CloneSourceTest.open(
            new CloneSource(
                    new CloneDirectories(dir.resolve("clones")),
                    CloneSourceTest.sourceId(1),
                    remote.fileUrl())
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
  void aScopesFirstMoveCreatesItsRef() throws Exception {
    MoveScopeRef.Result moved = new MoveScopeRef(clone, "tenant-a").setTarget(second).call();

    assertEquals(
        new MoveScopeRef.Result("refs/heads/scopes/tenant-a", null, second, RefUpdate.Result.NEW),
        moved);
    assertEquals(second, clone.exactRef("refs/heads/scopes/tenant-a").getObjectId());
  }

  @Test
  void aMoveBackwardsIsForced() throws Exception {
    new MoveScopeRef(clone, "tenant-a").setTarget(second).call();

    MoveScopeRef.Result moved = new MoveScopeRef(clone, "tenant-a").setTarget(first).call();

    assertEquals(
        new MoveScopeRef.Result(
            "refs/heads/scopes/tenant-a", second, first, RefUpdate.Result.FORCED),
        moved);
    assertEquals(first, clone.exactRef("refs/heads/scopes/tenant-a").getObjectId());
  }

  @Test
  void aScopeIdThatIsNoRefNameMovesItsHexRef() throws Exception {
    MoveScopeRef.Result moved = new MoveScopeRef(clone, "a..b").setTarget(first).call();

    assertEquals("refs/heads/scopes/612e2e62", moved.refName());
    assertEquals(first, clone.exactRef("refs/heads/scopes/612e2e62").getObjectId());
  }

  @Test
  void aMoveWithoutATargetFailsAndWritesNothing() throws Exception {
    assertThrows(IllegalStateException.class, () -> new MoveScopeRef(clone, "tenant-a").call());
    assertNull(clone.exactRef("refs/heads/scopes/tenant-a"));
  }

  @Test
  void deletingAScopesRefRemovesOnlyThatRef() throws Exception {
    new MoveScopeRef(clone, "tenant-a").setTarget(first).call();
    new MoveScopeRef(clone, "tenant-b").setTarget(second).call();

    DeleteScopeRef.Result deleted = new DeleteScopeRef(clone, "tenant-a").call();

    assertEquals(new DeleteScopeRef.Result("refs/heads/scopes/tenant-a", first), deleted);
    assertNull(clone.exactRef("refs/heads/scopes/tenant-a"));
    assertEquals(second, clone.exactRef("refs/heads/scopes/tenant-b").getObjectId());
    assertEquals(second, clone.exactRef("refs/remotes/origin/main").getObjectId());
  }

  @Test
  void deletingARefThatIsNotThereIsFine() throws Exception {
    assertEquals(
        new DeleteScopeRef.Result("refs/heads/scopes/tenant-a", null),
        new DeleteScopeRef(clone, "tenant-a").call());
  }
}
