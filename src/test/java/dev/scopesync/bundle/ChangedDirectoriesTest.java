package dev.scopesync.bundle;

import static dev.scopesync.bundle.OpalFixture.rego;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which directories a policy update announces: the parents of the bundle files that changed,
 * nothing when the bundle did not change.
 */
class ChangedDirectoriesTest {

  @TempDir Path dir;

  private TestRepository repo;
  private ObjectId base;

  @BeforeEach
  void createOpalLocalRepo() throws Exception {
    repo = TestRepository.init(dir);
    base = OpalFixture.localRepo(repo);
  }

  @AfterEach
  void closeRepo() {
    repo.close();
  }

  private List<String> changedDirectories(BundleFilter filter, ObjectId head) throws Exception {
    return List.copyOf(new BundleMaker(repo.repository(), filter).changedDirectories(base, head));
  }

  private List<String> changedDirectories(ObjectId head) throws Exception {
    return changedDirectories(BundleFilter.defaults(), head);
  }

  @Test
  void readmeOnlyChangeAnnouncesNothing() throws Exception {
    ObjectId head = repo.commitFile("README.md", "# docs\n");

    assertEquals(List.of(), changedDirectories(head));
  }

  @Test
  void changesToFilesThatAreNoModulesAnnounceNothing() throws Exception {
    ObjectId head =
        repo.append("mylist.txt", "x\n")
            .append("other/some.json", " ")
            .write("other/.manifest", "abac.rego\ndata.json")
            .commit("no module changed");

    // other/.manifest lists the walk order already: the bundle stays the same.
    assertEquals(List.of(), changedDirectories(head));
  }

  @Test
  void changesOutsideTheFilterAnnounceNothing() throws Exception {
    ObjectId head =
        repo.append("some/dir/to/file.rego", "# x\n")
            .append("other/abac.rego", "# x\n")
            .commit("two changes");
    BundleFilter onlySome = new BundleFilter(List.of("some"), null, null, List.of("*/abac.rego"));
    BundleFilter ignoringBoth = new BundleFilter(null, null, null, List.of("some/**", "abac.rego"));

    assertEquals(
        List.of(".", "some", "some/dir", "some/dir/to"), changedDirectories(onlySome, head));
    assertEquals(List.of(), changedDirectories(ignoringBoth, head));
  }

  @Test
  void nestedChangeAnnouncesEveryParent() throws Exception {
    ObjectId head = repo.append("some/dir/to/file.rego", "# x\n").commit("modify");

    assertEquals(List.of(".", "some", "some/dir", "some/dir/to"), changedDirectories(head));
  }

  @Test
  void addsDeletesAndRenamesAnnounceBothSides() throws Exception {
    ObjectId head =
        repo.rename("other/abac.rego", "some/dir/abac.rego")
            .delete("other/data.json")
            .write("third/level/deep/data.json", "{}")
            .commit("reshuffle");

    assertEquals(
        List.of(".", "other", "some", "some/dir", "third", "third/level", "third/level/deep"),
        changedDirectories(head));
  }

  @Test
  void renameIntoTheFilterAnnouncesTheNewPathOnly() throws Exception {
    repo.commitFile("drafts/new.rego", rego("app.new"));
    base = repo.repository().resolve("HEAD");
    ObjectId head = repo.rename("drafts/new.rego", "other/new.rego").commit("promote");
    BundleFilter ignoringDrafts = new BundleFilter(null, null, null, List.of("drafts/**"));

    assertEquals(List.of(".", "other"), changedDirectories(ignoringDrafts, head));
  }

  @Test
  void manifestReorderAnnouncesTheManifestDirectoryAndItsParents() throws Exception {
    ObjectId head = repo.commitFile(".manifest", "some/dir/to/file.rego");
    assertEquals(List.of("."), changedDirectories(head));

    repo.commitFile("other/.manifest", "abac.rego");
    base = repo.repository().resolve("HEAD");
    head = repo.write("other/.manifest", "data.json\nabac.rego").commit("reorder other");
    BundleFilter manifestInOther = new BundleFilter(null, null, "other", null);
    assertEquals(List.of(".", "other"), changedDirectories(manifestInOther, head));
  }

  @Test
  void executableBitAloneAnnouncesNothing() throws Exception {
    ObjectId head = repo.makeExecutable("rbac.rego").commit("chmod");

    try (ObjectReader reader = repo.repository().newObjectReader();
        RevWalk walk = new RevWalk(reader);
        TreeWalk file = TreeWalk.forPath(reader, "rbac.rego", walk.parseCommit(head).getTree())) {
      assertEquals(
          FileMode.EXECUTABLE_FILE, file.getFileMode(0), "the commit really changed the mode");
    }
    assertEquals(List.of(), changedDirectories(head));
  }

  @Test
  void sameCommitAnnouncesNothing() throws Exception {
    assertEquals(List.of(), changedDirectories(base));
  }
}
