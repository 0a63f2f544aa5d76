package dev.scopesync.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Package names and line splitting as OPAL's Python gets them; expectations produced with Python
 * 3.11.
 */
class RegoPackageNameTest {

  static Stream<Arguments> regoTextsAndTheirPackageNamesInOpal() {
    return Stream.of(
        Arguments.of("package app.rbac\r\n\r\nallow := true\r\n", "app.rbac"),
        Arguments.of("# x\rpackage a.b\rdefault allow = false", "a.b"),
        Arguments.of("x\u2028package u.v\u2028", "u.v"),
        Arguments.of("x\u000bpackage vt", "vt"),
        Arguments.of("x\u001cpackage fs", "fs"),
        Arguments.of("x\u0085package nel", "nel"),
        Arguments.of("package a.b\n", "a.b"),
        Arguments.of("package\tx.y", "x.y"),
        Arguments.of("package\u00a0nbsp", "nbsp"),
        Arguments.of("package\u001fus", "us"),
        Arguments.of("package a[\"b\"].c", "a[\"b\"].c"),
        Arguments.of("\ufeffpackage bom\npackage second", "second"),
        // OPAL's pattern has no '_', no comment, no indentation: these get no name.
        Arguments.of("package my_app", ""),
        Arguments.of("package a.b # comment", ""),
        Arguments.of("  package indented", ""),
        Arguments.of("package a\u200bb", ""),
        Arguments.of("packagex.y", ""),
        Arguments.of("package ", ""),
        Arguments.of("package", ""),
        Arguments.of("nothing here", ""),
        Arguments.of("", ""));
  }

  @ParameterizedTest(name = "{index}: {1}")
  @MethodSource("regoTextsAndTheirPackageNamesInOpal")
  void findsThePackageNameOpalFinds(String rego, String expected) {
    assertEquals(expected, RegoPackageName.of(rego));
  }

  @Test
  void splitLinesEndsLinesWhereverPythonDoes() {
    assertEquals(
        List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"),
        PythonText.splitLines(
            "a\r\nb\rc\nd\u000be\u000cf\u001cg\u001dh\u001ei\u0085j\u2028k\u2029l\n"));
  }

  @Test
  void splitLinesKeepsEmptyLinesButNoTrailingOne() {
    assertEquals(List.of(), PythonText.splitLines(""));
    assertEquals(List.of(""), PythonText.splitLines("\n"));
    assertEquals(List.of("a", "", "b"), PythonText.splitLines("a\n\nb"));
    assertEquals(List.of("a\u001fb"), PythonText.splitLines("a\u001fb"));
  }
}
