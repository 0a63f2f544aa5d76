package dev.scopesync.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.bundle.PolicyBundle.DataModule;
import dev.scopesync.bundle.PolicyBundle.DeletedFiles;
import dev.scopesync.bundle.PolicyBundle.PolicyModule;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bundle's JSON is OPAL's, field for field. */
class PolicyBundleJsonTest {

  @Test
  void fullBundleWritesSnakeCaseFieldsInOpalOrderWithNulls() {
    PolicyBundle bundle =
        new PolicyBundle(
            List.of("rbac.rego", "other/data.json"),
            "abc",
            null,
            List.of(new DataModule("other", "{\"a\": 1}")),
            List.of(new PolicyModule("rbac.rego", "app.rbac", "package app.rbac\n")),
            null);

    assertEquals(
        "{\"manifest\":[\"rbac.rego\",\"other/data.json\"],\"hash\":\"abc\",\"old_hash\":null,"
            + "\"data_modules\":[{\"path\":\"other\",\"data\":\"{\\\"a\\\": 1}\"}],"
            + "\"policy_modules\":[{\"path\":\"rbac.rego\",\"package_name\":\"app.rbac\","
            + "\"rego\":\"package app.rbac\\n\"}],\"deleted_files\":null}",
        new String(bundle.toJson(), StandardCharsets.UTF_8));
  }

  @Test
  void diffBundleWritesOldHashAndDeletedFiles() {
    PolicyBundle diff =
        new PolicyBundle(
            List.of(),
            "new",
            "old",
            List.of(),
            List.of(),
            new DeletedFiles(List.of("."), List.of("b.rego", "a.rego")));

    assertEquals(
        "{\"manifest\":[],\"hash\":\"new\",\"old_hash\":\"old\",\"data_modules\":[],"
            + "\"policy_modules\":[],\"deleted_files\":{\"data_modules\":[\".\"],"
            + "\"policy_modules\":[\"b.rego\",\"a.rego\"]}}",
        new String(diff.toJson(), StandardCharsets.UTF_8));
  }

  @Test
  void bundleCannotBeChangedThroughTheListsItWasMadeFrom() {
    List<String> manifest = new ArrayList<>(List.of("a.rego"));
    PolicyBundle bundle = new PolicyBundle(manifest, "h", null, List.of(), List.of(), null);
    manifest.add("b.rego");

    assertEquals(List.of("a.rego"), bundle.manifest());
    assertThrows(UnsupportedOperationException.class, () -> bundle.manifest().add("c.rego"));
  }

  @Test
  void sizeGrowsWithTheTextItHolds() {
    PolicyBundle small =
        new PolicyBundle(
            List.of("a.rego"),
            "h",
            null,
            List.of(),
            List.of(new PolicyModule("a.rego", "a", "package a\n")),
            null);
    PolicyBundle large =
        new PolicyBundle(
            List.of("a.rego"),
            "h",
            null,
            List.of(),
            List.of(new PolicyModule("a.rego", "a", "package a\n" + "#".repeat(10_000))),
            null);

    assertTrue(small.sizeBytes() > 2 * "package a\n".length());
    assertTrue(large.sizeBytes() - small.sizeBytes() >= 10_000);
  }
}
