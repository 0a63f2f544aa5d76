package dev.scopesync.http;

import dev.scopesync.config.RateNotation;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * OPAL's {@code GET /loadlimit} limiter ({@code CLIENT_LOAD_LIMIT_NOTATION}): one global budget,
 * not per client, counted in fixed windows as slowapi's default strategy counts them (a window
 * opens at its first request). OPAL clients with {@code OPAL_WAIT_ON_SERVER_LOAD} retry until they
 * get a 200, so a burst of starting clients is let in at the configured rate.
 *
 * <p>Confined to the HTTP verticle's event loop; the clock is injected so tests never sleep.
 */
final class LoadLimiter {
  private final List<RateNotation.Rate> rates;
  private final LongSupplier nanos;
  private final long[] windowStart;
  private final int[] used;

  LoadLimiter(RateNotation notation, LongSupplier nanos) {
    this.rates = notation.rates();
    this.nanos = nanos;
    this.windowStart = new long[rates.size()];
    this.used = new int[rates.size()];
    for (int i = 0; i < rates.size(); i++) {
      windowStart[i] = Long.MIN_VALUE;
    }
  }

  /**
   * Takes one request from every rate's budget.
   *
   * @return 0 when admitted, else the seconds until the fullest window reopens (at least 1)
   */
  long acquire() {
    long now = nanos.getAsLong();
    long retryAfter = 0;
    for (int i = 0; i < rates.size(); i++) {
      long window = rates.get(i).windowSeconds() * 1_000_000_000L;
      if (windowStart[i] == Long.MIN_VALUE || now - windowStart[i] >= window) {
        windowStart[i] = now;
        used[i] = 0;
      }
      if (used[i] >= rates.get(i).count()) {
        retryAfter =
            Math.max(
                retryAfter,
                Math.max(1, (windowStart[i] + window - now + 999_999_999L) / 1_000_000_000L));
      }
    }
    if (retryAfter > 0) {
      return retryAfter;
    }
    for (int i = 0; i < rates.size(); i++) {
      used[i]++;
    }
    return 0;
  }
}
