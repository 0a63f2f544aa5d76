package dev.scopesync.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeNameTest {
  @TempDir Path dir;

  @Test
  void aConfiguredNameWinsAndWritesNothing() throws Exception {
    assertEquals("fetcher-a", NodeName.resolve("fetcher-a", dir));
    assertFalse(Files.exists(dir.resolve(NodeName.FILE)));
  }

  @Test
  void withoutOneANameIsMadeOnceAndKeptOnTheDisk() throws Exception {
    String first = NodeName.resolve(null, dir.resolve("data"));
    assertTrue(NodeName.SHAPE.matcher(first).matches(), first);
    assertEquals(
        first, NodeName.resolve(null, dir.resolve("data")), "the same name after a restart");
    assertEquals(first + "\n", Files.readString(dir.resolve("data").resolve(NodeName.FILE)));
    try (var entries = Files.list(dir.resolve("data"))) {
      assertEquals(1, entries.count(), "no scratch file left");
    }
  }

  @Test
  void aBadConfiguredOrStoredNameStopsTheStartAndChangesNothing() throws Exception {
    assertEquals(
        "cluster.nodeName: a node name is 1 to 64 letters, digits, '.', '_' or '-', got 'a b'",
        assertThrows(IllegalArgumentException.class, () -> NodeName.resolve("a b", dir))
            .getMessage());
    Files.writeString(dir.resolve(NodeName.FILE), "bad/name\n");
    assertThrows(IllegalArgumentException.class, () -> NodeName.resolve(null, dir));
    assertEquals("bad/name\n", Files.readString(dir.resolve(NodeName.FILE)));
  }
}
