package dev.scopesync.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each {@code bundle_ignore} glob against the same paths; the expected matches were produced by
 * OPAL's {@code glob_style_match_path_to_list} on Python 3.11.
 */
class IgnoreGlobsTest {

  private static final List<String> PATHS =
      List.of(
          "rbac.rego",
          "other/abac.rego",
          "otherwise.rego",
          "other",
          "some/dir/to/file.rego",
          "x.rego",
          "a/x.rego",
          "a/b/c/b.rego",
          "a/q/b.rego",
          "dir/a.rego",
          "q/dir/a.rego");

  static Stream<Arguments> globsAndTheirMatchesInOpal() {
    return Stream.of(
        Arguments.of("other/**", List.of("other/abac.rego", "other")),
        Arguments.of("othe/**", List.of()),
        Arguments.of("some/*/*/file.rego", List.of("some/dir/to/file.rego")),
        Arguments.of("*bac*", List.of("rbac.rego", "other/abac.rego")),
        Arguments.of("/", PATHS),
        Arguments.of("/**", PATHS),
        Arguments.of("**", PATHS),
        Arguments.of(
            "*.rego",
            List.of(
                "rbac.rego",
                "other/abac.rego",
                "otherwise.rego",
                "some/dir/to/file.rego",
                "x.rego",
                "a/x.rego",
                "a/b/c/b.rego",
                "a/q/b.rego",
                "dir/a.rego",
                "q/dir/a.rego")),
        Arguments.of("dir/*.rego", List.of("dir/a.rego", "q/dir/a.rego")),
        Arguments.of("/rbac.rego", List.of()),
        Arguments.of("./other/abac.rego", List.of("other/abac.rego")),
        Arguments.of("other/", List.of("other")),
        Arguments.of("other", List.of("other")),
        Arguments.of("**/x.rego", List.of("a/x.rego")),
        Arguments.of("a/**/b.rego", List.of("a/q/b.rego")),
        // Python raises ValueError("empty pattern") here; we match nothing instead.
        Arguments.of("", List.of()),
        Arguments.of(".", List.of()));
  }

  @ParameterizedTest(name = "''{0}'' matches {1}")
  @MethodSource("globsAndTheirMatchesInOpal")
  void matchesExactlyWhatOpalMatches(String glob, List<String> expected) {
    IgnoreGlobs globs = new IgnoreGlobs(List.of(glob));
    assertEquals(expected, PATHS.stream().filter(globs::matches).toList());
  }

  @ParameterizedTest(name = "with ''{0}''")
  @MethodSource("globsAndTheirMatchesInOpal")
  void aPathIsIgnoredWhenAnyGlobMatches(String glob, List<String> expected) {
    IgnoreGlobs globs = new IgnoreGlobs(List.of("nothing/matches/this", glob));
    assertEquals(expected, PATHS.stream().filter(globs::matches).toList());
  }

  @Test
  void noGlobsIgnoreNothing() {
    assertEquals(List.of(), PATHS.stream().filter(new IgnoreGlobs(List.of())::matches).toList());
  }
}
