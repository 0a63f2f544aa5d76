package dev.scopesync.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Paths as Python's {@code PurePosixPath} shapes them. */
class PythonPathTest {

  @Test
  void normalizeDropsDotsEmptyPartsAndTrailingSlashesButKeepsParentReferences() {
    assertEquals("a", PythonPath.normalize("./a"));
    assertEquals("a", PythonPath.normalize("a/"));
    assertEquals("a/b", PythonPath.normalize("a//./b/."));
    assertEquals("a/../b", PythonPath.normalize("a/../b"));
    assertEquals(".", PythonPath.normalize(""));
    assertEquals(".", PythonPath.normalize("./"));
  }

  @Test
  void parentsRunFromTheNearestDirectoryUpToTheRoot() {
    assertEquals(List.of("a/b", "a", "."), PythonPath.parents("a/b/c.rego"));
    assertEquals(List.of("."), PythonPath.parents("c.rego"));
    assertEquals(List.of(), PythonPath.parents("."));
  }

  @Test
  void suffixIgnoresALeadingDotAndATrailingOne() {
    assertEquals(".rego", PythonPath.suffix("a/b.rego"));
    assertEquals(".rego", PythonPath.suffix("a.b.rego"));
    assertEquals("", PythonPath.suffix(".rego"));
    assertEquals("", PythonPath.suffix("dir/.manifest"));
    assertEquals(".rego", PythonPath.suffix("..rego"));
    assertEquals("", PythonPath.suffix("file."));
    assertEquals("", PythonPath.suffix("README"));
  }

  @Test
  void aPathIsStrictlyUnderItsParentsOnly() {
    assertTrue(PythonPath.isStrictlyUnder("other/a.rego", "other"));
    assertTrue(PythonPath.isStrictlyUnder("other/a.rego", "."));
    assertFalse(PythonPath.isStrictlyUnder("other", "other"));
    assertFalse(PythonPath.isStrictlyUnder("otherwise/a.rego", "other"));
    assertFalse(PythonPath.isStrictlyUnder(".", "."));
  }

  @Test
  void codePointOrderSortsLikePython() {
    List<String> sorted =
        new java.util.ArrayList<>(List.of("b", "\uD83D\uDE00", "\uFF21", ".", "a/b", "a"));
    sorted.sort(PythonPath.CODE_POINT_ORDER);
    assertEquals(List.of(".", "a", "a/b", "b", "\uFF21", "\uD83D\uDE00"), sorted);
  }
}
