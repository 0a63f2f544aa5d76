package dev.scopesync.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.bundle.PolicyBundle.DataModule;
import dev.scopesync.bundle.PolicyBundle.PolicyModule;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which files a filter lets into a full bundle, and how they are read. */
class BundleMakerFilterTest {

  @TempDir Path dir;

  private TestRepository repo;

  @BeforeEach
  void createRepo() throws Exception {
    repo = TestRepository.init(dir);
  }

  @AfterEach
  void closeRepo() {
    repo.close();
  }

  private PolicyBundle full(BundleFilter filter, ObjectId commit) throws IOException {
    return new BundleMaker(repo.repository(), filter).full(commit);
  }

  @Test
  void onlyRegoFilesAndFilesNamedDataJsonWithAnIncludedSuffixAreModules() throws Exception {
    ObjectId commit =
        repo.write("a.rego", "package a\n")
            .write("B.REGO", "package b\n")
            .write(".rego", "package dot\n")
            .write("x/data.json", "{}")
            .write("x/Data.json", "{}")
            .write("x/values.json", "{}")
            .write("x/data.yaml", "a: 1\n")
            .commit("mixed files");

    assertEquals(
        List.of("a.rego", "x/data.json"), full(BundleFilter.defaults(), commit).manifest());
    assertEquals(
        List.of("a.rego"),
        full(new BundleFilter(null, List.of(".rego"), null, null), commit).manifest());
    assertEquals(
        List.of("x/data.json"),
        full(new BundleFilter(null, List.of(".json", ".yaml"), null, null), commit).manifest());
  }

  @Test
  void directoriesAreNormalisedAndOverlappingOnesIncludeFilesOnce() throws Exception {
    ObjectId commit =
        repo.write("top.rego", "package top\n")
            .write("other/a.rego", "package other.a\n")
            .write("otherwise/b.rego", "package otherwise.b\n")
            .commit("three");

    assertEquals(
        List.of("other/a.rego"),
        full(new BundleFilter(List.of("./other/"), null, null, null), commit).manifest());
    assertEquals(
        List.of("top.rego", "other/a.rego", "otherwise/b.rego"),
        full(new BundleFilter(List.of("other", "."), null, null, null), commit).manifest());
    assertEquals(
        List.of(),
        full(new BundleFilter(List.of("/other", "other/a.rego"), null, null, null), commit)
            .manifest());
  }

  @Test
  void dataJsonAtTheRootIsTheDotDataModule() throws Exception {
    ObjectId commit = repo.write("data.json", "{\"x\": 1}").commit("root data");

    assertEquals(
        List.of(new DataModule(".", "{\"x\": 1}")),
        full(BundleFilter.defaults(), commit).dataModules());
  }

  @Test
  void policyThatIsNotUtf8FailsTheBundleNamingTheFile() throws Exception {
    ObjectId commit = repo.write("bad.rego", new byte[] {'p', (byte) 0xc3, '\n'}).commit("latin-1");

    IOException failure =
        assertThrows(IOException.class, () -> full(BundleFilter.defaults(), commit));
    assertTrue(failure.getMessage().contains("bad.rego"), failure.getMessage());
  }

  @Test
  void byteOrderMarkStaysInTheTextAndHidesAFirstLinePackage() throws Exception {
    ObjectId commit = repo.write("bom.rego", "\ufeffpackage bom\n").commit("bom");

    assertEquals(
        List.of(new PolicyModule("bom.rego", "", "\ufeffpackage bom\n")),
        full(BundleFilter.defaults(), commit).policyModules());
  }

  @Test
  void symlinkedRegoIsReadAsItsLinkTextLikeGitPythonReadsIt() throws Exception {
    ObjectId commit =
        repo.write("real.rego", "package real\n").symlink("link.rego", "real.rego").commit("link");

    assertEquals(
        List.of(
            new PolicyModule("link.rego", "", "real.rego"),
            new PolicyModule("real.rego", "real", "package real\n")),
        full(BundleFilter.defaults(), commit).policyModules());
  }

  @Test
  void annotatedTagIsPeeledToItsCommit() throws Exception {
    ObjectId commit = repo.write("a.rego", "package a\n").commit("one");
    ObjectId tag;
    try (Git git = Git.wrap(repo.repository())) {
      Ref ref = git.tag().setName("v1").setAnnotated(true).setMessage("v1").setSigned(false).call();
      tag = ref.getObjectId();
    }

    assertEquals(commit.name(), full(BundleFilter.defaults(), tag).hash());
  }
}
