package dev.scopesync.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PushEventTest {
  private static final PushEvent EVENT =
      new PushEvent(
          "github",
          true,
          "push",
          List.of("https://github.com/o/r.git"),
          List.of("o/r"),
          List.of("main", "release/2024-05"));

  static Stream<Arguments> branches() {
    return Stream.of(
        Arguments.of("a pushed branch", "main", true),
        Arguments.of("a pushed branch with a slash", "release/2024-05", true),
        Arguments.of(
            "another case of a pushed branch (git branch names are case-sensitive)", "Main", false),
        Arguments.of("a prefix of a pushed branch", "release", false),
        Arguments.of("the full ref of a pushed branch", "refs/heads/main", false),
        Arguments.of("an empty name", "", false),
        Arguments.of("no branch at all", null, false));
  }

  @ParameterizedTest(name = "{0}: {2}")
  @MethodSource("branches")
  void concernsOnlyTheExactBranchesItPushed(String behaviour, String branch, boolean expected) {
    assertEquals(expected, EVENT.concernsBranch(branch));
  }

  @Test
  void aTagPushConcernsNoBranch() {
    PushEvent tagPush =
        new PushEvent("gitlab", true, "Tag Push Hook", List.of(), List.of("o/r"), List.of());
    assertEquals(false, tagPush.concernsBranch("main"));
  }

  @Test
  void listsAreCopiedAndCannotBeChanged() {
    List<String> branches = new ArrayList<>(List.of("main"));
    PushEvent event = new PushEvent("github", true, "push", List.of(), List.of("o/r"), branches);
    branches.add("dev");
    assertEquals(List.of("main"), event.branches());
    assertThrows(UnsupportedOperationException.class, () -> event.branches().add("dev"));
    assertThrows(UnsupportedOperationException.class, () -> event.repositoryUrls().add("x"));
    assertThrows(UnsupportedOperationException.class, () -> event.fullNames().add("x"));
  }
}
