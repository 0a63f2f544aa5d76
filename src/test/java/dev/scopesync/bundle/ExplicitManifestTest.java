package dev.scopesync.bundle;

import static dev.scopesync.bundle.OpalFixture.JSON;
import static dev.scopesync.bundle.OpalFixture.rego;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@code .manifest} files order a full bundle, beyond OPAL's own cases. */
class ExplicitManifestTest {

  private static final List<String> WALK_ORDER =
      List.of("rbac.rego", "other/abac.rego", "other/data.json", "some/dir/to/file.rego");

  @TempDir Path dir;

  private TestRepository repo;

  @BeforeEach
  void createOpalLocalRepo() throws Exception {
    repo = TestRepository.init(dir);
    OpalFixture.localRepo(repo);
  }

  @AfterEach
  void closeRepo() {
    repo.close();
  }

  private List<String> manifestAt(ObjectId commit, BundleFilter filter) throws Exception {
    return new BundleMaker(repo.repository(), filter).full(commit).manifest();
  }

  private List<String> manifestAt(ObjectId commit) throws Exception {
    return manifestAt(commit, BundleFilter.defaults());
  }

  @Test
  void entriesAreNormalisedLikePurePath() throws Exception {
    ObjectId commit =
        repo.commitFile(
            ".manifest",
            "./some//dir/./to/file.rego\nrbac.rego/\nother/../other/abac.rego\n./other/data.json");

    // "other/../other/abac.rego" names no git path (pathlib never collapses ".."): skipped.
    assertEquals(
        List.of("some/dir/to/file.rego", "rbac.rego", "other/data.json", "other/abac.rego"),
        manifestAt(commit));
  }

  @Test
  void windowsLineEndingsSeparateEntries() throws Exception {
    ObjectId commit = repo.commitFile(".manifest", "other/abac.rego\r\nsome/dir/to/file.rego\r\n");

    assertEquals(
        List.of("other/abac.rego", "some/dir/to/file.rego", "rbac.rego", "other/data.json"),
        manifestAt(commit));
  }

  @Test
  void entriesAreNotTrimmed() throws Exception {
    ObjectId commit =
        repo.commitFile(".manifest", "other/abac.rego \n some/dir/to/file.rego\nother/data.json");

    assertEquals(
        List.of("other/data.json", "rbac.rego", "other/abac.rego", "some/dir/to/file.rego"),
        manifestAt(commit));
  }

  @Test
  void manifestPathMayBeADirectoryHoldingDotManifest() throws Exception {
    repo.commitFile("some/.manifest", "dir");
    ObjectId commit = repo.commitFile("some/dir/.manifest", "to/file.rego");
    BundleFilter filter = new BundleFilter(null, null, "some", null);

    assertEquals(
        List.of("some/dir/to/file.rego", "rbac.rego", "other/abac.rego", "other/data.json"),
        manifestAt(commit, filter));
  }

  @Test
  void manifestPathMayBeAnyFileWithEntriesRelativeToItsDirectory() throws Exception {
    repo.commitFile("other/load-order.txt", "data.json\nabac.rego\n../rbac.rego");
    ObjectId commit = repo.commitFile("other/.manifest", "abac.rego\ndata.json");
    BundleFilter filter = new BundleFilter(null, null, "./other/load-order.txt", null);

    // The named file is read, not other/.manifest; "../rbac.rego" leaves the directory.
    assertEquals(
        List.of("other/data.json", "other/abac.rego", "rbac.rego", "some/dir/to/file.rego"),
        manifestAt(commit, filter));
  }

  @Test
  void missingManifestPathLeavesWalkOrder() throws Exception {
    ObjectId commit = repo.commitFile("other/.manifest", "data.json\nabac.rego");

    assertEquals(WALK_ORDER, manifestAt(commit));
    assertEquals(
        WALK_ORDER, manifestAt(commit, new BundleFilter(null, null, "nowhere/.manifest", null)));
    assertEquals(WALK_ORDER, manifestAt(commit, new BundleFilter(null, null, "/.manifest", null)));
  }

  @Test
  void directoryEntryMatchedByAnIgnoreGlobIsNotExpanded() throws Exception {
    repo.commitFile(".manifest", "other\nsome/dir/to/file.rego");
    ObjectId commit = repo.commitFile("other/.manifest", "data.json\nabac.rego");
    // The glob "other" matches the directory itself, not the files inside it.
    BundleFilter filter = new BundleFilter(null, null, null, List.of("other"));

    assertEquals(
        List.of("some/dir/to/file.rego", "rbac.rego", "other/abac.rego", "other/data.json"),
        manifestAt(commit, filter));
  }

  @Test
  void fileEntryMatchedByAnIgnoreGlobIsSkippedAndLeftOut() throws Exception {
    ObjectId commit =
        repo.commitFile(".manifest", "other/data.json\nsome/dir/to/file.rego\nrbac.rego");
    BundleFilter filter = new BundleFilter(null, null, null, List.of("some/**"));

    assertEquals(
        List.of("other/data.json", "rbac.rego", "other/abac.rego"), manifestAt(commit, filter));
  }

  @Test
  void entriesOutsideTheBundleDoNotDisturbTheOrder() throws Exception {
    ObjectId commit =
        repo.commitFile(
            ".manifest",
            "mylist.txt\nother/some.json\nother/abac.rego\nsome/dir/to/file.rego\nrbac.rego");
    BundleFilter onlyOther = new BundleFilter(List.of("./other/"), null, null, null);

    assertEquals(List.of("other/abac.rego", "other/data.json"), manifestAt(commit, onlyOther));
  }

  @Test
  void manifestThatIsNotUtf8CountsAsEmpty() throws Exception {
    repo.write(".manifest", new byte[] {'o', 't', 'h', 'e', 'r', (byte) 0xff, '\n'});
    ObjectId commit = repo.commit("bad manifest");

    assertEquals(WALK_ORDER, manifestAt(commit));
  }

  @Test
  void dotManifestThatIsADirectoryCountsAsEmpty() throws Exception {
    repo.commitFile("some/.manifest/x.txt", "not a manifest");
    ObjectId commit = repo.commitFile(".manifest", "some\nother/abac.rego");

    assertEquals(
        List.of("other/abac.rego", "rbac.rego", "other/data.json", "some/dir/to/file.rego"),
        manifestAt(commit));
  }

  @Test
  void moduleListsKeepWalkOrderWhateverTheManifestSays() throws Exception {
    ObjectId commit =
        repo.commitFile(".manifest", "some/dir/to/file.rego\nother/abac.rego\nrbac.rego");

    PolicyBundle bundle = new BundleMaker(repo.repository(), BundleFilter.defaults()).full(commit);

    assertEquals(
        List.of("some/dir/to/file.rego", "other/abac.rego", "rbac.rego", "other/data.json"),
        bundle.manifest());
    assertEquals(
        List.of(
            new PolicyBundle.PolicyModule("rbac.rego", "app.rbac", rego("app.rbac")),
            new PolicyBundle.PolicyModule("other/abac.rego", "app.abac", rego("app.abac")),
            new PolicyBundle.PolicyModule(
                "some/dir/to/file.rego", "envoy.http.public", rego("envoy.http.public"))),
        bundle.policyModules());
    assertEquals(List.of(new PolicyBundle.DataModule("other", JSON)), bundle.dataModules());
  }
}
