package dev.scopesync.git;

import java.util.function.BooleanSupplier;
import org.eclipse.jgit.lib.EmptyProgressMonitor;

/**
 * A deadline on a whole clone or fetch. JGit polls {@link #isCancelled()} while it negotiates and
 * receives a pack, so a remote that trickles bytes (which a socket read timeout never catches) is
 * still stopped in time; shutdown cancels the same way.
 */
final class OperationDeadline extends EmptyProgressMonitor {
  private final long deadlineNanos;
  private final BooleanSupplier stopping;
  private volatile boolean expired;

  OperationDeadline(int seconds, BooleanSupplier stopping) {
    this.deadlineNanos = System.nanoTime() + seconds * 1_000_000_000L;
    this.stopping = stopping;
  }

  @Override
  public boolean isCancelled() {
    if (System.nanoTime() - deadlineNanos > 0) {
      expired = true;
    }
    return expired || stopping.getAsBoolean();
  }

  /** Marks the deadline as passed (the watchdog does, before it closes the transport). */
  void expire() {
    expired = true;
  }

  /** True once the deadline has passed (checked by JGit or by the caller). */
  boolean expired() {
    return expired || System.nanoTime() - deadlineNanos > 0;
  }
}
