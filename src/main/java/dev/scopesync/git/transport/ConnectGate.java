package dev.scopesync.git.transport;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * At most {@value #PER_ENDPOINT} connections being opened at once to one {@code host:port}: from
 * the connect until the server's first answer. {@code git daemon} listens with a backlog of 5 and
 * forks a child per connection; a boot sync starting 8 clones in the same millisecond overflowed
 * that queue, and the kernel dropped the extra handshakes, which the client only retries a second
 * later (DESIGN §14: one such second was a third of a 50-scope boot sync). Once the server has
 * answered, the daemon has accepted the connection, so the rest of each clone proceeds in parallel
 * as before.
 *
 * <p>Thread-safe. An endpoint's entry lives while someone holds or waits for one of its permits, so
 * the gate holds nothing for servers no longer contacted.
 */
final class ConnectGate {
  /** One less than git daemon's listen backlog. */
  static final int PER_ENDPOINT = 4;

  /** How often a wait looks whether it was cancelled. */
  static final long CHECK_MILLIS = 50;

  private final int permits;
  private final Map<String, Entry> endpoints = new HashMap<>();

  ConnectGate(int permits) {
    if (permits < 1) {
      throw new IllegalArgumentException("permits must be at least 1, was " + permits);
    }
    this.permits = permits;
  }

  /** A permit to open one connection; closing it lets the next one in. */
  interface Permit extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Waits for a permit for {@code endpoint}.
   *
   * @param timeoutMillis how long to wait at most; 0 waits as long as it takes
   * @param cancelled checked every {@value #CHECK_MILLIS} ms while waiting; true gives up
   * @return the permit, or null when none came within the timeout or the wait was cancelled
   */
  Permit enter(String endpoint, long timeoutMillis, BooleanSupplier cancelled)
      throws InterruptedException {
    Entry entry;
    synchronized (endpoints) {
      entry = endpoints.computeIfAbsent(endpoint, e -> new Entry(new Semaphore(permits, true)));
      entry.users++;
    }
    boolean acquired = false;
    try {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
      while (!acquired && !cancelled.getAsBoolean()) {
        long left =
            timeoutMillis > 0
                ? deadline - System.nanoTime()
                : TimeUnit.MILLISECONDS.toNanos(CHECK_MILLIS);
        if (left <= 0) {
          break;
        }
        acquired =
            entry.slots.tryAcquire(
                Math.min(left, TimeUnit.MILLISECONDS.toNanos(CHECK_MILLIS)), TimeUnit.NANOSECONDS);
      }
    } finally {
      if (!acquired) {
        leave(endpoint, entry);
      }
    }
    if (!acquired) {
      return null;
    }
    AtomicBoolean closed = new AtomicBoolean();
    return () -> {
      if (closed.compareAndSet(false, true)) {
        entry.slots.release();
        leave(endpoint, entry);
      }
    };
  }

  /** Endpoints with a permit held or awaited (for tests: the gate forgets idle endpoints). */
  int endpoints() {
    synchronized (endpoints) {
      return endpoints.size();
    }
  }

  private void leave(String endpoint, Entry entry) {
    synchronized (endpoints) {
      if (--entry.users == 0) {
        endpoints.remove(endpoint, entry);
      }
    }
  }

  private static final class Entry {
    final Semaphore slots;
    int users;

    Entry(Semaphore slots) {
      this.slots = slots;
    }
  }
}
