package dev.scopesync.bundle;

import static dev.scopesync.bundle.OpalFixture.JSON;
import static dev.scopesync.bundle.OpalFixture.rego;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.scopesync.bundle.PolicyBundle.DataModule;
import dev.scopesync.bundle.PolicyBundle.DeletedFiles;
import dev.scopesync.bundle.PolicyBundle.PolicyModule;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every case of OPAL's {@code bundle_maker_test.py}, asserting exact lists. */
class BundleMakerOpalCasesTest {

  private static final List<String> OPA_EXTENSIONS = List.of(".rego", ".json");

  private static final PolicyModule RBAC =
      new PolicyModule("rbac.rego", "app.rbac", rego("app.rbac"));
  private static final PolicyModule ABAC =
      new PolicyModule("other/abac.rego", "app.abac", rego("app.abac"));
  private static final PolicyModule GBAC =
      new PolicyModule("other/gbac.rego", "app.gbac", rego("app.gbac"));
  private static final PolicyModule FILE =
      new PolicyModule("some/dir/to/file.rego", "envoy.http.public", rego("envoy.http.public"));
  private static final DataModule OTHER_DATA = new DataModule("other", JSON);

  @TempDir Path dir;

  private TestRepository repo;
  private ObjectId head;

  @BeforeEach
  void createOpalLocalRepo() throws Exception {
    repo = TestRepository.init(dir);
    head = OpalFixture.localRepo(repo);
  }

  @AfterEach
  void closeRepo() {
    repo.close();
  }

  private BundleMaker maker(List<String> directories, List<String> bundleIgnore) {
    return new BundleMaker(
        repo.repository(),
        new BundleFilter(directories, OPA_EXTENSIONS, ".manifest", bundleIgnore));
  }

  private BundleMaker wholeRepoMaker() {
    return maker(List.of("."), List.of());
  }

  private static void assertFullBundle(PolicyBundle bundle, ObjectId commit) {
    assertEquals(commit.name(), bundle.hash());
    assertNull(bundle.oldHash());
    assertNull(bundle.deletedFiles());
  }

  @Test
  void fullBundleIncludesOnlyRegoAndDataJsonFilesInWalkOrder() throws Exception {
    PolicyBundle bundle = wholeRepoMaker().full(head);

    assertFullBundle(bundle, head);
    assertEquals(
        List.of("rbac.rego", "other/abac.rego", "other/data.json", "some/dir/to/file.rego"),
        bundle.manifest());
    assertEquals(List.of(OTHER_DATA), bundle.dataModules());
    assertEquals(List.of(RBAC, ABAC, FILE), bundle.policyModules());
  }

  @Test
  void directoryFilterKeepsOnlyFilesUnderThatDirectory() throws Exception {
    PolicyBundle other = maker(List.of("other"), List.of()).full(head);
    assertFullBundle(other, head);
    assertEquals(List.of("other/abac.rego", "other/data.json"), other.manifest());
    assertEquals(List.of(OTHER_DATA), other.dataModules());
    assertEquals(List.of(ABAC), other.policyModules());

    PolicyBundle some = maker(List.of("some"), List.of()).full(head);
    assertFullBundle(some, head);
    assertEquals(List.of("some/dir/to/file.rego"), some.manifest());
    assertEquals(List.of(), some.dataModules());
    assertEquals(List.of(FILE), some.policyModules());
  }

  @Test
  void fullBundlesFollowChangesBetweenCommits() throws Exception {
    ObjectId newHead = OpalFixture.repoWithDiffs(repo);
    BundleMaker maker = wholeRepoMaker();

    PolicyBundle before = maker.full(head);
    assertFullBundle(before, head);
    assertEquals(
        List.of("rbac.rego", "other/abac.rego", "other/data.json", "some/dir/to/file.rego"),
        before.manifest());
    assertEquals(List.of(OTHER_DATA), before.dataModules());
    assertEquals(List.of(RBAC, ABAC, FILE), before.policyModules());

    PolicyBundle after = maker.full(newHead);
    assertFullBundle(after, newHead);
    assertEquals(
        List.of("rbac.rego", "other/abac.rego", "other/gbac.rego", "some/dir/to/file.rego"),
        after.manifest());
    assertEquals(List.of(), after.dataModules());
    assertEquals(List.of(RBAC, ABAC, GBAC, FILE), after.policyModules());
  }

  @Test
  void diffBundleHoldsAddedFilesAndDeletedDataDirectories() throws Exception {
    ObjectId newHead = OpalFixture.repoWithDiffs(repo);

    PolicyBundle diff = wholeRepoMaker().diff(head, newHead);

    assertEquals(newHead.name(), diff.hash());
    assertEquals(head.name(), diff.oldHash());
    assertEquals(List.of("other/gbac.rego"), diff.manifest());
    assertEquals(List.of(), diff.dataModules());
    assertEquals(List.of(GBAC), diff.policyModules());
    assertEquals(new DeletedFiles(List.of("other"), List.of()), diff.deletedFiles());
  }

  @Test
  void explicitManifestComesFirstAndCanBeChanged() throws Exception {
    ObjectId first = repo.commitFile(".manifest", "other/abac.rego\nrbac.rego");
    PolicyBundle bundle = wholeRepoMaker().full(first);
    assertFullBundle(bundle, first);
    assertEquals(
        List.of("other/abac.rego", "rbac.rego", "other/data.json", "some/dir/to/file.rego"),
        bundle.manifest());

    repo.delete(".manifest").commit("delete file");
    ObjectId second = repo.commitFile(".manifest", "some/dir/to/file.rego\nother/abac.rego");
    bundle = wholeRepoMaker().full(second);
    assertFullBundle(bundle, second);
    assertEquals(
        List.of("some/dir/to/file.rego", "other/abac.rego", "rbac.rego", "other/data.json"),
        bundle.manifest());
    // Module lists keep OPAL's walk order; only the manifest is re-sorted.
    assertEquals(List.of(RBAC, ABAC, FILE), bundle.policyModules());
  }

  @Test
  void nestedManifestsExpandInPlaceSkippingRepeatsAndDirectoriesWithoutManifest() throws Exception {
    repo.commitFile(".manifest", "other/data.json\nsome/dir\nother\nrbac.rego\nsome");
    repo.commitFile("other/.manifest", "data.json\nabac.rego");
    repo.commitFile("some/dir/.manifest", "to");
    ObjectId commit = repo.commitFile("some/dir/to/.manifest", "file.rego");

    PolicyBundle bundle = wholeRepoMaker().full(commit);

    assertFullBundle(bundle, commit);
    assertEquals(
        List.of("other/data.json", "some/dir/to/file.rego", "other/abac.rego", "rbac.rego"),
        bundle.manifest());
  }

  @Test
  void manifestEntriesThatEscapeRepeatOrPointNowhereAreSkipped() throws Exception {
    repo.commitFile(".manifest", "other/data.json\nother\nsome");
    repo.commitFile(
        "other/.manifest",
        String.join(
            "\n",
            "../",
            "..",
            "./",
            ".",
            dir.toString(),
            dir.resolve("some/dir/to/.manifest").toString(),
            dir.resolve("other").toString(),
            "some/dir/to/.manifest",
            "other",
            "data.json",
            "abac.rego"));
    ObjectId commit = repo.commitFile("some/dir/to/.manifest", "file.rego");

    try (var reader = repo.repository().newObjectReader()) {
      CommitTree tree = CommitTree.of(reader, commit);
      assertEquals(
          List.of("other/data.json", "other/abac.rego"),
          ExplicitManifest.compile(tree, new BundleFileRule(BundleFilter.defaults())));
    }
    assertEquals(
        List.of("other/data.json", "other/abac.rego", "rbac.rego", "some/dir/to/file.rego"),
        wholeRepoMaker().full(commit).manifest());
  }

  @Test
  void ignoreGlobWithDoubleStarLeavesOutTheWholeDirectory() throws Exception {
    PolicyBundle bundle = maker(List.of("."), List.of("other/**")).full(head);

    assertFullBundle(bundle, head);
    assertEquals(List.of("rbac.rego", "some/dir/to/file.rego"), bundle.manifest());
    assertEquals(List.of(), bundle.dataModules());
    assertEquals(List.of(RBAC, FILE), bundle.policyModules());
  }

  @Test
  void ignoreGlobWithSingleStarsMatchesOneDirectoryEach() throws Exception {
    PolicyBundle bundle = maker(List.of("."), List.of("some/*/*/file.rego")).full(head);

    assertFullBundle(bundle, head);
    assertEquals(List.of("rbac.rego", "other/abac.rego", "other/data.json"), bundle.manifest());
    assertEquals(List.of(OTHER_DATA), bundle.dataModules());
    assertEquals(List.of(RBAC, ABAC), bundle.policyModules());
  }

  @Test
  void ignoreGlobWithoutDirectoryMatchesFileNamesAnywhere() throws Exception {
    PolicyBundle bundle = maker(List.of("."), List.of("*bac*")).full(head);

    assertFullBundle(bundle, head);
    assertEquals(List.of("other/data.json", "some/dir/to/file.rego"), bundle.manifest());
    assertEquals(List.of(OTHER_DATA), bundle.dataModules());
    assertEquals(List.of(FILE), bundle.policyModules());
  }

  @Test
  void directoriesOfListsEveryParentOfEveryBundleFile() throws Exception {
    assertEquals(
        List.of(".", "other", "some", "some/dir", "some/dir/to"),
        List.copyOf(wholeRepoMaker().directoriesOf(head)));
    assertEquals(
        List.of(".", "other"), List.copyOf(maker(List.of("other"), List.of()).directoriesOf(head)));
  }
}
