package dev.scopesync.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rate limit in the notation of the Python {@code limits} library, which OPAL's {@code
 * CLIENT_LOAD_LIMIT_NOTATION} is written in: {@code 10/second}, {@code 100 per minute}, {@code 5/2
 * hours}, several joined by {@code ;} or {@code ,} (each must hold). Immutable.
 *
 * @param rates every limit; a request passes only when it passes all of them
 * @param text the notation as given, for messages
 */
public record RateNotation(List<Rate> rates, String text) {
  /** {@code count} requests per window of {@code windowSeconds}. */
  public record Rate(int count, long windowSeconds) {}

  private static final Pattern ONE =
      Pattern.compile(
          "\\s*(\\d{1,9})\\s*(?:/|per)\\s*(\\d{1,6})?\\s*(second|minute|hour|day|month|year)s?\\s*",
          Pattern.CASE_INSENSITIVE);

  public RateNotation {
    rates = List.copyOf(rates);
  }

  /**
   * @throws IllegalArgumentException saying what is wrong, when {@code text} is not a rate
   */
  public static RateNotation parse(String text) {
    List<Rate> rates = new ArrayList<>();
    for (String part : text.split("[;,]", -1)) {
      Matcher m = ONE.matcher(part);
      if (!m.matches()) {
        throw new IllegalArgumentException(
            "'"
                + part.trim()
                + "' is not a rate like 10/second, 100 per minute"
                + " or 5/2 hours (units: second, minute, hour, day, month, year)");
      }
      int count = Integer.parseInt(m.group(1));
      long multiple = m.group(2) == null ? 1 : Long.parseLong(m.group(2));
      if (count < 1 || multiple < 1) {
        throw new IllegalArgumentException(
            "'" + part.trim() + "': the count and the window must be at least 1");
      }
      rates.add(new Rate(count, multiple * unitSeconds(m.group(3).toLowerCase(Locale.ROOT))));
    }
    return new RateNotation(rates, text.trim());
  }

  private static long unitSeconds(String unit) {
    return switch (unit) {
      case "second" -> 1;
      case "minute" -> 60;
      case "hour" -> 3_600;
      case "day" -> 86_400;
      case "month" -> 30L * 86_400;
      default -> 365L * 86_400;
    };
  }
}
