package dev.scopesync.bundle;

import static dev.scopesync.bundle.OpalFixture.JSON;
import static dev.scopesync.bundle.OpalFixture.rego;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scopesync.bundle.PolicyBundle.DataModule;
import dev.scopesync.bundle.PolicyBundle.PolicyModule;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stock OPA bundle, unpacked and read back. */
class OpaBundleWriterTest {

  @TempDir Path dir;

  /**
   * Entry name to text, in archive order; also checks every entry is a plain, ownerless, timeless
   * file.
   */
  private static Map<String, String> unpack(byte[] tarGz) throws IOException {
    Map<String, String> files = new LinkedHashMap<>();
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(new GZIPInputStream(new ByteArrayInputStream(tarGz)))) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        assertEquals(true, entry.isFile(), entry.getName());
        assertEquals(0L, entry.getLastModifiedTime().toMillis(), entry.getName());
        assertEquals("", entry.getUserName(), entry.getName());
        files.put(entry.getName(), new String(tar.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
    return files;
  }

  private static Map<?, ?> manifestOf(Map<String, String> files) throws IOException {
    return new ObjectMapper().readValue(files.get("/.manifest"), Map.class);
  }

  @Test
  void bundleHoldsTheManifestAndEachModuleAtItsRepositoryPath() throws Exception {
    try (TestRepository repo = TestRepository.init(dir)) {
      ObjectId head = OpalFixture.localRepo(repo);
      PolicyBundle bundle = new BundleMaker(repo.repository(), BundleFilter.defaults()).full(head);

      Map<String, String> files = unpack(OpaBundleWriter.write(bundle));

      assertEquals(
          List.of(
              "/.manifest",
              "/rbac.rego",
              "/other/abac.rego",
              "/other/data.json",
              "/some/dir/to/file.rego"),
          new ArrayList<>(files.keySet()));
      assertEquals(rego("app.rbac"), files.get("/rbac.rego"));
      assertEquals(rego("app.abac"), files.get("/other/abac.rego"));
      assertEquals(JSON, files.get("/other/data.json"));
      assertEquals(rego("envoy.http.public"), files.get("/some/dir/to/file.rego"));
      assertEquals(
          Map.of(
              "revision",
              head.name(),
              "roots",
              List.of("app/abac", "app/rbac", "envoy/http/public", "other")),
          manifestOf(files));
      assertEquals(
          "{\"revision\":\""
              + head.name()
              + "\",\"roots\":"
              + "[\"app/abac\",\"app/rbac\",\"envoy/http/public\",\"other\"]}",
          files.get("/.manifest"));
    }
  }

  @Test
  void sameCommitGivesTheSameBytes() throws Exception {
    try (TestRepository repo = TestRepository.init(dir)) {
      ObjectId head = OpalFixture.localRepo(repo);
      byte[] first =
          OpaBundleWriter.write(
              new BundleMaker(repo.repository(), BundleFilter.defaults()).full(head));
      byte[] second =
          OpaBundleWriter.write(
              new BundleMaker(repo.repository(), BundleFilter.defaults()).full(head));

      assertArrayEquals(first, second);
    }
  }

  @Test
  void filesFollowTheManifestOrder() throws Exception {
    PolicyBundle bundle =
        new PolicyBundle(
            List.of("b.rego", "data.json", "a.rego"),
            "h",
            null,
            List.of(new DataModule(".", "{}")),
            List.of(
                new PolicyModule("a.rego", "a", "package a\n"),
                new PolicyModule("b.rego", "b", "package b\n")),
            null);

    assertEquals(
        List.of("/.manifest", "/b.rego", "/data.json", "/a.rego"),
        new ArrayList<>(unpack(OpaBundleWriter.write(bundle)).keySet()));
  }

  @Test
  void nonAsciiAndLongPathsSurviveTheTar() throws Exception {
    String longPath = "deep/" + "segment/".repeat(20) + "p\u00f6licy.rego";
    PolicyBundle bundle =
        new PolicyBundle(
            List.of(longPath),
            "h",
            null,
            List.of(),
            List.of(new PolicyModule(longPath, "", "package x\n# \u00e9t\u00e9\n")),
            null);

    Map<String, String> files = unpack(OpaBundleWriter.write(bundle));

    // The name travels in a PAX record as "/deep/..."; commons-compress drops the leading '/'
    // when it reads PAX names back (GNU tar lists it).
    assertEquals(List.of("/.manifest", longPath), new ArrayList<>(files.keySet()));
    assertEquals("package x\n# \u00e9t\u00e9\n", files.get(longPath));
  }

  @Test
  void diffBundleIsRefused() {
    PolicyBundle diff = new PolicyBundle(List.of(), "new", "old", List.of(), List.of(), null);

    assertThrows(IllegalArgumentException.class, () -> OpaBundleWriter.write(diff));
  }

  private static PolicyBundle bundleOf(List<PolicyModule> policies, List<DataModule> data) {
    return new PolicyBundle(List.of(), "h", null, data, policies, null);
  }

  private static PolicyModule policy(String packageName, String rego) {
    return new PolicyModule("p.rego", packageName, rego);
  }

  @Test
  void rootsAreNarrowedToTheOutermostNeededPaths() {
    assertEquals(
        List.of("app", "lib/x"),
        OpaRoots.of(
            bundleOf(
                List.of(
                    policy("app.rbac", "package app.rbac"),
                    policy("lib.x.y", "package lib.x.y"),
                    policy("lib.x", "package lib.x")),
                List.of(new DataModule("app", "{}"), new DataModule("app/users", "{}")))));
  }

  @Test
  void rootsReadPackagesOpalLeavesUnnamed() {
    assertEquals(
        List.of("my_app/authz", "tenants/acme.corp"),
        OpaRoots.of(
            bundleOf(
                List.of(
                    policy("", "# header\n  package my_app.authz # main\n"),
                    policy("tenants[\"acme.corp\"]", "package tenants[\"acme.corp\"]")),
                List.of())));
  }

  @Test
  void rootsOwnTheWholeTreeWhenTheyCannotBeNarrowed() {
    assertEquals(
        List.of(""),
        OpaRoots.of(bundleOf(List.of(policy("", "default allow = false\n")), List.of())));
    assertEquals(
        List.of(""),
        OpaRoots.of(
            bundleOf(List.of(policy("app", "package app")), List.of(new DataModule(".", "{}")))));
    assertEquals(
        List.of(""),
        OpaRoots.of(bundleOf(List.of(policy("a[\"b/c\"]", "package a[\"b/c\"]")), List.of())));
    assertEquals(List.of(""), OpaRoots.of(bundleOf(List.of(), List.of())));
  }
}
