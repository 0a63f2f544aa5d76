package dev.scopesync.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each pattern against the same texts; the expected matches were produced by Python 3.11's {@code
 * fnmatch.fnmatchcase}, quirks of its set syntax included.
 */
class FnmatchPatternTest {

  private static final List<String> TEXTS =
      List.of(
          "a.rego", "abc", "ax", "bx", "dx", "]x", "-x", "zx", "ex", "cx", "\\x", "[x", "x]", "^x",
          "&x", "axbyc", "ab", "x");

  static Stream<Arguments> patternsAndTheirMatchesInPython() {
    return Stream.of(
        Arguments.of("*.rego", List.of("a.rego")),
        Arguments.of("a?c", List.of("abc")),
        Arguments.of("[abc]x", List.of("ax", "bx", "cx")),
        Arguments.of("[!abc]x", List.of("dx", "]x", "-x", "zx", "ex", "\\x", "[x", "^x", "&x")),
        Arguments.of("[a-c]x", List.of("ax", "bx", "cx")),
        Arguments.of("[!a-c]x", List.of("dx", "]x", "-x", "zx", "ex", "\\x", "[x", "^x", "&x")),
        Arguments.of("[]]x", List.of("]x")),
        Arguments.of(
            "[!]]x", List.of("ax", "bx", "dx", "-x", "zx", "ex", "cx", "\\x", "[x", "^x", "&x")),
        Arguments.of("[-a]x", List.of("ax", "-x")),
        Arguments.of("[a-]x", List.of("ax", "-x")),
        Arguments.of("[z-a]x", List.of()),
        Arguments.of(
            "[!z-a]x",
            List.of("ax", "bx", "dx", "]x", "-x", "zx", "ex", "cx", "\\x", "[x", "^x", "&x")),
        Arguments.of("[a-c-e]x", List.of("ax", "bx", "-x", "ex", "cx")),
        Arguments.of("[b-a-c]x", List.of("-x", "cx")),
        Arguments.of("[a\\]x", List.of("ax", "\\x")),
        Arguments.of("[x", List.of("[x")),
        Arguments.of("x]", List.of("x]")),
        Arguments.of("**", TEXTS),
        Arguments.of("[[]x", List.of("[x")),
        Arguments.of("[^a]x", List.of("ax", "^x")),
        Arguments.of("[&&a]x", List.of("ax", "&x")),
        Arguments.of("a*b*c", List.of("abc", "axbyc")),
        Arguments.of("[a--c]x", List.of("cx")),
        Arguments.of("[--a]x", List.of("ax", "]x", "-x", "\\x", "[x", "^x")));
  }

  @ParameterizedTest(name = "''{0}'' matches {1}")
  @MethodSource("patternsAndTheirMatchesInPython")
  void matchesExactlyWhatPythonFnmatchcaseMatches(String pattern, List<String> expected) {
    FnmatchPattern compiled = FnmatchPattern.compile(pattern);
    assertEquals(expected, TEXTS.stream().filter(compiled::matches).toList());
  }
}
