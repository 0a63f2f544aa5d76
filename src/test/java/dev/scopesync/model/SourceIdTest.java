package dev.scopesync.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SourceIdTest {
  // Expected values computed with OPAL's own formula in Python:
  // sha256(url).hexdigest() + "-" + str(sha256(branch).digest()[0] % shards)
  @Test
  void matchesOpalsFormulaExactly() {
    assertEquals(
        "a93456397a8ff71955735e1b558baa7def383d193e5e58ca9151df9c1a0635ce-0",
        SourceId.of("https://github.com/permitio/opal-example-policy-repo", "master", 1));
    assertEquals(
        "abd4cac705acb4117d7ccd543469ae2df21f7306712dfc19a2402c1552356085-1",
        SourceId.of("git@github.com:org/p.git", "main", 4));
    assertEquals(
        "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881-9",
        SourceId.of("x", "dev", 10));
  }

  @Test
  void branchesOnTheSameShardShareASourceAndOthersDoNot() {
    String url = "https://example.com/p.git";
    assertEquals(SourceId.of(url, "main", 4), SourceId.of(url, "b1", 4)); // both shard 1
    assertTrue(!SourceId.of(url, "main", 4).equals(SourceId.of(url, "dev", 4))); // 1 vs 3
    assertEquals(SourceId.of(url, "main", 1), SourceId.of(url, "dev", 1));
  }

  @Test
  void everyIdHasTheSweepableShape() {
    assertTrue(SourceId.SHAPE.matcher(SourceId.of("u", "b", 256)).matches());
  }

  @Test
  void refusesZeroShards() {
    assertThrows(IllegalArgumentException.class, () -> SourceId.of("u", "b", 0));
  }
}
