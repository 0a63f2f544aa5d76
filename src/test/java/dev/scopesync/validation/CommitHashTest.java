package dev.scopesync.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CommitHashTest {
  @ParameterizedTest(name = "''{0}'' -> {1}")
  @CsvSource({
    "abcd, true",
    "ABCDEF0123456789, true",
    "0123456789abcdef0123456789abcdef01234567, true",
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef, true",
    "abc, false",
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0, false",
    "abcg, false",
    "'abcd ', false",
    "'', false",
    "-abc, false"
  })
  void fourToSixtyFourHexDigits(String text, boolean valid) {
    assertEquals(valid, CommitHash.valid(text));
  }
}
