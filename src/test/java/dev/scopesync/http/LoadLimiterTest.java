package dev.scopesync.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.scopesync.config.RateNotation;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * OPAL's load limit in fixed windows that open at their first request (slowapi's default), on an
 * injected clock.
 */
class LoadLimiterTest {
  private static final long SECOND = 1_000_000_000L;
  private final AtomicLong now = new AtomicLong(1_000 * SECOND);

  @Test
  void aWindowAdmitsItsCountThenTellsWhenItReopens() {
    LoadLimiter limiter = new LoadLimiter(RateNotation.parse("2/minute"), now::get);
    assertEquals(0, limiter.acquire());
    now.addAndGet(10 * SECOND);
    assertEquals(0, limiter.acquire());
    assertEquals(
        50, limiter.acquire(), "seconds until the window that opened at the first request ends");
    now.addAndGet(49 * SECOND + SECOND / 2);
    assertEquals(1, limiter.acquire(), "rounded up, never 0");
    now.addAndGet(SECOND / 2);
    assertEquals(0, limiter.acquire(), "a new window");
  }

  @Test
  void aRefusedRequestSpendsNothingFromAnyRate() {
    LoadLimiter limiter = new LoadLimiter(RateNotation.parse("1/second; 3/minute"), now::get);
    assertEquals(0, limiter.acquire());
    assertEquals(1, limiter.acquire());
    now.addAndGet(SECOND);
    assertEquals(0, limiter.acquire());
    now.addAndGet(SECOND);
    assertEquals(0, limiter.acquire());
    now.addAndGet(SECOND);
    assertEquals(
        57, limiter.acquire(), "the minute's budget is spent; the second's refusal did not count");
  }
}
