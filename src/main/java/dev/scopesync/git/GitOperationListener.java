package dev.scopesync.git;

import java.time.Duration;

/** Hears every finished clone and fetch (the metrics do). */
@FunctionalInterface
public interface GitOperationListener {
  /**
   * @param op {@code clone} or {@code fetch}
   * @param outcome {@code ok} or a {@link GitFailure.Kind} label
   */
  void finished(String op, String outcome, Duration took);
}
