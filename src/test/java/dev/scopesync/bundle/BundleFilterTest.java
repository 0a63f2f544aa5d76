package dev.scopesync.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class BundleFilterTest {

  @Test
  void nullComponentsTakeOpalScopeDefaults() {
    assertEquals(
        new BundleFilter(List.of("."), List.of(".rego", ".json"), ".manifest", List.of()),
        new BundleFilter(null, null, null, null));
  }

  @Test
  void fingerprintIgnoresTheOrderOfSetLikeLists() {
    BundleFilter one =
        new BundleFilter(
            List.of("a", "b"), List.of(".rego", ".json"), ".manifest", List.of("x", "y"));
    BundleFilter other =
        new BundleFilter(
            List.of("b", "a"), List.of(".json", ".rego"), ".manifest", List.of("y", "x"));

    assertEquals(one.fingerprint(), other.fingerprint());
    assertEquals(64, one.fingerprint().length());
  }

  @Test
  void fingerprintTellsApartFiltersThatSelectDifferently() {
    BundleFilter base = BundleFilter.defaults();
    List<BundleFilter> different =
        List.of(
            new BundleFilter(List.of("other"), null, null, null),
            new BundleFilter(null, List.of(".rego"), null, null),
            new BundleFilter(null, null, "policies", null),
            new BundleFilter(null, null, null, List.of("other/**")),
            // Values that a naive join of the lists would confuse.
            new BundleFilter(List.of(".", ".rego"), List.of(".json"), null, null));

    for (BundleFilter filter : different) {
      assertNotEquals(base.fingerprint(), filter.fingerprint(), filter.toString());
    }
    assertEquals(
        different.size(), different.stream().map(BundleFilter::fingerprint).distinct().count());
  }
}
