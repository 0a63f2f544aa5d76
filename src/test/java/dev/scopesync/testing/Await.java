package dev.scopesync.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a deadline (never a bare sleep to "let things settle"). */
public final class Await {
  public static final Duration DEFAULT = Duration.ofSeconds(60);

  private Await() {}

  public static void until(BooleanSupplier condition) throws InterruptedException {
    until(condition, DEFAULT);
  }

  public static void until(BooleanSupplier condition, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + timeout);
      }
      Thread.sleep(10);
    }
  }
}
