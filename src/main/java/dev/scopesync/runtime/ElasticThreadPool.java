package dev.scopesync.runtime;

import io.vertx.core.spi.ExecutorServiceFactory;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A thread pool that starts with no thread, adds one only when a task arrives while every thread it
 * has is busy (up to {@code maxThreads}), and ends a thread once it has been idle for the
 * keep-alive time. A server that idles holds no worker thread; a burst of git work grows the pool
 * to what the burst needs, and it shrinks back afterwards (DESIGN §14).
 *
 * <p>A plain {@link ThreadPoolExecutor} cannot do this by itself: with an unbounded queue it never
 * grows past its core size, and with core = max it starts a thread per task until it is full even
 * when idle threads are waiting. Here the queue refuses a task while there are more unfinished
 * tasks than threads, which makes the executor add a thread; otherwise an idle thread takes it from
 * the queue. Thread-safe.
 */
public final class ElasticThreadPool extends ThreadPoolExecutor {
  /**
   * How long an idle worker thread lives, in seconds, unless this system property says otherwise.
   */
  public static final String IDLE_SECONDS_PROPERTY = "scopesync.idleThreadSeconds";

  static final long DEFAULT_IDLE_SECONDS = 30;

  /** Submitted and not yet finished (queued or running). */
  private final AtomicInteger unfinished = new AtomicInteger();

  private ElasticThreadPool(
      int maxThreads, Duration keepAlive, ThreadFactory threads, HandOffQueue queue) {
    super(
        0,
        maxThreads,
        keepAlive.toNanos(),
        TimeUnit.NANOSECONDS,
        queue,
        threads,
        (task, pool) -> {
          // The queue said "add a thread" but the pool reached its maximum meanwhile: wait in line.
          if (pool.isShutdown()) {
            throw new RejectedExecutionException("pool is shut down");
          }
          queue.enqueue(task);
        });
    queue.pool = this;
  }

  /**
   * @param maxThreads the most threads at once
   * @param keepAlive how long a thread may wait for work before it ends
   */
  public static ElasticThreadPool create(
      int maxThreads, Duration keepAlive, ThreadFactory threads) {
    if (maxThreads < 1) {
      throw new IllegalArgumentException("maxThreads must be at least 1, was " + maxThreads);
    }
    if (keepAlive.isNegative() || keepAlive.isZero()) {
      throw new IllegalArgumentException("keepAlive must be positive, was " + keepAlive);
    }
    return new ElasticThreadPool(maxThreads, keepAlive, threads, new HandOffQueue());
  }

  /**
   * Vert.x's worker pools (the default worker pool, the internal blocking pool and every named
   * worker executor, e.g. {@code scopesync-git}) as elastic pools of their configured size, idle
   * threads ending after {@link #idleKeepAlive()}.
   */
  public static ExecutorServiceFactory vertxPools() {
    Duration keepAlive = idleKeepAlive();
    return (threads, concurrency, maxConcurrency) -> create(maxConcurrency, keepAlive, threads);
  }

  /** {@value #IDLE_SECONDS_PROPERTY} seconds, by default {@value #DEFAULT_IDLE_SECONDS}. */
  public static Duration idleKeepAlive() {
    String value = System.getProperty(IDLE_SECONDS_PROPERTY);
    if (value == null || value.isBlank()) {
      return Duration.ofSeconds(DEFAULT_IDLE_SECONDS);
    }
    try {
      double seconds = Double.parseDouble(value.trim());
      if (seconds > 0) {
        return Duration.ofMillis(Math.max(1, Math.round(seconds * 1000)));
      }
    } catch (NumberFormatException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException(
        "-D"
            + IDLE_SECONDS_PROPERTY
            + " must be a positive number of seconds, was '"
            + value
            + "'");
  }

  @Override
  public void execute(Runnable task) {
    unfinished.incrementAndGet();
    try {
      super.execute(task);
    } catch (RuntimeException | Error e) {
      unfinished.decrementAndGet();
      throw e;
    }
  }

  @Override
  protected void afterExecute(Runnable task, Throwable failure) {
    unfinished.decrementAndGet();
    super.afterExecute(task, failure);
  }

  /**
   * The queue of an elastic pool: refuses a task when no thread is free to take it and the pool may
   * grow.
   */
  private static final class HandOffQueue extends LinkedBlockingQueue<Runnable> {
    private static final long serialVersionUID = 1L;
    private transient volatile ElasticThreadPool pool;

    @Override
    public boolean offer(Runnable task) {
      ElasticThreadPool owner = pool;
      if (owner != null) {
        int threads = owner.getPoolSize();
        if (threads < owner.getMaximumPoolSize() && owner.unfinished.get() > threads) {
          return false; // every thread is busy: the executor adds one for this task
        }
      }
      return super.offer(task);
    }

    void enqueue(Runnable task) {
      super.offer(task);
    }
  }
}
