package dev.scopesync.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code limits} library's notation, as OPAL's {@code CLIENT_LOAD_LIMIT_NOTATION} takes it. */
class RateNotationTest {
  @ParameterizedTest(name = "{0} is {1} per {2} s")
  @CsvSource(
      delimiter = '|',
      value = {
        "1/minute|1|60",
        "10/second|10|1",
        "100 per hour|100|3600",
        "5/2 minutes|5|120",
        "3 / DAY|3|86400",
        "7/seconds|7|1",
        "1/month|1|2592000",
        "2 per 3 years|2|94608000"
      })
  void oneRate(String text, int count, long seconds) {
    assertEquals(List.of(new RateNotation.Rate(count, seconds)), RateNotation.parse(text).rates());
  }

  @org.junit.jupiter.api.Test
  void severalRatesMustAllHold() {
    assertEquals(
        List.of(new RateNotation.Rate(10, 1), new RateNotation.Rate(100, 60)),
        RateNotation.parse("10/second; 100/minute").rates());
    assertEquals(2, RateNotation.parse("1/second,2/hour").rates().size());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "lots",
        "10",
        "/second",
        "10/fortnight",
        "0/second",
        "1/0 seconds",
        "-1/second",
        "1/second;"
      })
  void anythingElseIsRefusedWithTheExample(String text) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> RateNotation.parse(text));
    assertTrue(
        e.getMessage().contains("10/second") || e.getMessage().contains("at least 1"),
        e.getMessage());
  }
}
