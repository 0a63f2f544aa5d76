package dev.scopesync.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.scopesync.bundle.PolicyBundle.DataModule;
import dev.scopesync.bundle.PolicyBundle.DeletedFiles;
import dev.scopesync.bundle.PolicyBundle.PolicyModule;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Diff bundles: exact contents per kind of change, and the rule that decides every case — applying
 * the diff to the base's full bundle gives the head's full bundle — including renames that cross
 * the filter, where OPAL's own diff gets it wrong.
 */
class DiffBundleTest {

  /** Changes the repository and commits; returns the new head. */
  @FunctionalInterface
  interface Change {
    ObjectId applyTo(TestRepository repo) throws Exception;
  }

  private static final BundleFilter IGNORING_DRAFTS =
      new BundleFilter(null, null, null, List.of("drafts/**"));
  private static final BundleFilter ONLY_POLICIES =
      new BundleFilter(List.of("policies"), null, null, null);

  @TempDir Path dir;

  private TestRepository repo;
  private ObjectId base;

  /**
   *
   *
   * <pre>
   * README.md, notes.txt
   * drafts/x.rego        package drafts.x   (ignored by IGNORING_DRAFTS)
   * policies/a.rego      package p.a
   * policies/b.rego      package p.b
   * policies/data.json
   * </pre>
   */
  @BeforeEach
  void createBase() throws Exception {
    repo = TestRepository.init(dir);
    repo.write("README.md", "# policies\n")
        .write("notes.txt", "package notes.txt\n")
        .write("drafts/x.rego", rego("drafts.x"))
        .write("policies/a.rego", rego("p.a"))
        .write("policies/b.rego", rego("p.b"))
        .write("policies/data.json", "{\"p\": 1}");
    base = repo.commit("base");
  }

  @AfterEach
  void closeRepo() {
    repo.close();
  }

  private static String rego(String packageName) {
    return "package " + packageName + "\n\nallow := true\n";
  }

  private PolicyBundle diffAfter(BundleFilter filter, Change change) throws Exception {
    ObjectId head = change.applyTo(repo);
    BundleMaker maker = new BundleMaker(repo.repository(), filter);
    PolicyBundle diff = maker.diff(base, head);
    assertEquals(head.name(), diff.hash());
    assertEquals(base.name(), diff.oldHash());
    assertEquals(
        AppliedBundle.of(maker.full(head)),
        AppliedBundle.of(maker.full(base)).apply(diff),
        "applying the diff to the base bundle gives the head bundle");
    return diff;
  }

  static Stream<Arguments> changes() {
    return Stream.<Arguments>of(
        Arguments.of(
            "modify in place",
            IGNORING_DRAFTS,
            (Change) r -> r.append("policies/b.rego", "# more\n").commit("modify")),
        Arguments.of(
            "rename inside the filter",
            IGNORING_DRAFTS,
            (Change) r -> r.rename("policies/a.rego", "policies/c.rego").commit("rename")),
        Arguments.of(
            "rename from an ignored path into the bundle",
            IGNORING_DRAFTS,
            (Change) r -> r.rename("drafts/x.rego", "policies/x.rego").commit("promote")),
        Arguments.of(
            "rename into an ignored path",
            IGNORING_DRAFTS,
            (Change) r -> r.rename("policies/b.rego", "drafts/b.rego").commit("demote")),
        Arguments.of(
            "rename out of the filter directories",
            ONLY_POLICIES,
            (Change) r -> r.rename("policies/a.rego", "archive/a.rego").commit("archive")),
        Arguments.of(
            "rename into the filter directories",
            ONLY_POLICIES,
            (Change) r -> r.rename("drafts/x.rego", "policies/x.rego").commit("promote")),
        Arguments.of(
            "rename to an extension outside the filter",
            IGNORING_DRAFTS,
            (Change) r -> r.rename("policies/a.rego", "policies/a.rego.bak").commit("disable")),
        Arguments.of(
            "rename from an extension outside the filter",
            IGNORING_DRAFTS,
            (Change) r -> r.rename("notes.txt", "policies/notes.rego").commit("enable")),
        Arguments.of(
            "rename with modification",
            IGNORING_DRAFTS,
            (Change)
                r ->
                    r.rename("policies/a.rego", "policies/z.rego")
                        .append("policies/z.rego", "# moved\n")
                        .commit("move")),
        Arguments.of(
            "data.json moved to another directory",
            IGNORING_DRAFTS,
            (Change) r -> r.rename("policies/data.json", "other/data.json").commit("move data")),
        Arguments.of(
            "data.json renamed to a json that is no module",
            IGNORING_DRAFTS,
            (Change) r -> r.rename("policies/data.json", "policies/values.json").commit("rename")),
        Arguments.of(
            "several commits between base and head",
            IGNORING_DRAFTS,
            (Change)
                r -> {
                  r.write("policies/n.rego", rego("p.n")).commit("add");
                  r.delete("policies/a.rego").commit("delete");
                  r.write("policies/a.rego", rego("p.a2")).commit("re-add");
                  r.rename("policies/n.rego", "drafts/n.rego").commit("demote");
                  return r.write("data.json", "{}").commit("root data");
                }),
        Arguments.of(
            "nothing in the bundle changes",
            IGNORING_DRAFTS,
            (Change)
                r ->
                    r.append("README.md", "more\n")
                        .write("drafts/x.rego", "changed")
                        .commit("docs")),
        Arguments.of(
            "only the executable bit changes",
            IGNORING_DRAFTS,
            (Change) r -> r.makeExecutable("policies/a.rego").commit("chmod")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("changes")
  void applyingTheDiffToTheBaseBundleGivesTheHeadBundle(
      String name, BundleFilter filter, Change change) throws Exception {
    PolicyBundle diff = diffAfter(filter, change);

    Set<String> changed = new HashSet<>();
    diff.policyModules().forEach(module -> changed.add(module.path()));
    diff.dataModules().forEach(module -> changed.add(PythonPath.join(module.path(), "data.json")));
    PolicyBundle headBundle =
        new BundleMaker(repo.repository(), filter).full(repo.repository().resolve("HEAD"));
    assertEquals(
        headBundle.manifest().stream().filter(changed::contains).toList(),
        diff.manifest(),
        "the diff's manifest is the head's, restricted to the files in the diff");
  }

  @Test
  void renameInsideTheFilterDeletesTheOldPathAndAddsTheNew() throws Exception {
    PolicyBundle diff =
        diffAfter(
            IGNORING_DRAFTS, r -> r.rename("policies/a.rego", "policies/c.rego").commit("rename"));

    assertEquals(List.of("policies/c.rego"), diff.manifest());
    assertEquals(
        List.of(new PolicyModule("policies/c.rego", "p.a", rego("p.a"))), diff.policyModules());
    assertEquals(List.of(), diff.dataModules());
    assertEquals(new DeletedFiles(List.of(), List.of("policies/a.rego")), diff.deletedFiles());
  }

  @Test
  void renameFromAnIgnoredPathIsAnAdd() throws Exception {
    PolicyBundle diff =
        diffAfter(
            IGNORING_DRAFTS, r -> r.rename("drafts/x.rego", "policies/x.rego").commit("promote"));

    assertEquals(List.of("policies/x.rego"), diff.manifest());
    assertEquals(
        List.of(new PolicyModule("policies/x.rego", "drafts.x", rego("drafts.x"))),
        diff.policyModules());
    assertNull(diff.deletedFiles());
  }

  @Test
  void renameOutOfTheFilterIsADelete() throws Exception {
    PolicyBundle diff =
        diffAfter(
            ONLY_POLICIES, r -> r.rename("policies/b.rego", "archive/b.rego").commit("archive"));

    assertEquals(List.of(), diff.manifest());
    assertEquals(List.of(), diff.policyModules());
    assertEquals(new DeletedFiles(List.of(), List.of("policies/b.rego")), diff.deletedFiles());
  }

  @Test
  void movedDataJsonDeletesTheOldDirectoryAndAddsTheNew() throws Exception {
    PolicyBundle diff =
        diffAfter(
            IGNORING_DRAFTS,
            r -> r.rename("policies/data.json", "other/data.json").commit("move data"));

    assertEquals(List.of("other/data.json"), diff.manifest());
    assertEquals(List.of(new DataModule("other", "{\"p\": 1}")), diff.dataModules());
    assertEquals(new DeletedFiles(List.of("policies"), List.of()), diff.deletedFiles());
  }

  @Test
  void deletedRootDataJsonIsTheDotDirectory() throws Exception {
    ObjectId withRootData = repo.write("data.json", "{}").commit("root data");
    base = withRootData;

    PolicyBundle diff =
        diffAfter(IGNORING_DRAFTS, r -> r.delete("data.json").commit("drop root data"));

    assertEquals(new DeletedFiles(List.of("."), List.of()), diff.deletedFiles());
  }

  @Test
  void deletedPoliciesComeInReverseBaseManifestOrder() throws Exception {
    repo.write(".manifest", "policies/b.rego\npolicies/data.json\npolicies/a.rego").commit("order");
    base = repo.write("policies/c.rego", rego("p.c")).commit("add c");

    PolicyBundle diff =
        diffAfter(
            IGNORING_DRAFTS,
            r ->
                r.delete("policies/a.rego")
                    .delete("policies/b.rego")
                    .delete("policies/c.rego")
                    .delete("policies/data.json")
                    .delete(".manifest")
                    .commit("drop all"));

    // Base manifest: b, data.json, a, c — removed last-loaded first.
    assertEquals(
        new DeletedFiles(
            List.of("policies"), List.of("policies/c.rego", "policies/a.rego", "policies/b.rego")),
        diff.deletedFiles());
    assertEquals(List.of(), diff.manifest());
  }

  @Test
  void addedAndModifiedFilesFollowTheHeadManifestOrder() throws Exception {
    PolicyBundle diff =
        diffAfter(
            IGNORING_DRAFTS,
            r ->
                r.write("policies/new.rego", rego("p.new"))
                    .append("policies/a.rego", "# changed\n")
                    .write("policies/data.json", "{\"p\": 2}")
                    .write(".manifest", "policies/data.json\npolicies/new.rego")
                    .commit("several"));

    assertEquals(
        List.of("policies/data.json", "policies/new.rego", "policies/a.rego"), diff.manifest());
    assertEquals(
        List.of("policies/a.rego", "policies/new.rego"),
        diff.policyModules().stream().map(PolicyModule::path).toList());
    assertEquals(List.of(new DataModule("policies", "{\"p\": 2}")), diff.dataModules());
    assertNull(diff.deletedFiles());
  }

  @Test
  void diffOfACommitWithItselfIsEmpty() throws Exception {
    PolicyBundle diff = new BundleMaker(repo.repository(), IGNORING_DRAFTS).diff(base, base);

    assertEquals(
        new PolicyBundle(List.of(), base.name(), base.name(), List.of(), List.of(), null), diff);
  }
}
