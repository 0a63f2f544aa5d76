package dev.scopesync.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ElasticThreadPoolTest {
  private static final Duration KEEP_ALIVE = Duration.ofMillis(200);
  private final AtomicInteger threadsMade = new AtomicInteger();
  private final ThreadFactory threads =
      r -> {
        Thread thread = new Thread(r, "elastic-test-" + threadsMade.getAndIncrement());
        thread.setDaemon(true);
        return thread;
      };
  private ElasticThreadPool pool;

  @AfterEach
  void shutDown() throws InterruptedException {
    if (pool != null) {
      pool.shutdownNow();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void startsWithoutAnyThread() {
    pool = ElasticThreadPool.create(8, KEEP_ALIVE, threads);

    assertEquals(0, pool.getPoolSize());
    assertEquals(0, threadsMade.get());
  }

  @Test
  void burstGrowsThePoolToTheBurstThenIdleThreadsEnd() throws Exception {
    pool = ElasticThreadPool.create(8, KEEP_ALIVE, threads);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch running = new CountDownLatch(5);
    List<Future<?>> burst = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      burst.add(
          pool.submit(
              () -> {
                running.countDown();
                release.await();
                return null;
              }));
    }

    assertTrue(running.await(10, TimeUnit.SECONDS), "five blocking tasks run at once");
    assertEquals(5, pool.getPoolSize());
    release.countDown();
    for (Future<?> task : burst) {
      task.get(10, TimeUnit.SECONDS);
    }
    Await.until(() -> pool.getPoolSize() == 0, Duration.ofSeconds(10));
    assertEquals(5, threadsMade.get(), "no thread beyond the burst was made");
  }

  @Test
  void neverMoreThreadsThanTheMaximumAndTheRestWaitsInLine() throws Exception {
    pool = ElasticThreadPool.create(3, KEEP_ALIVE, threads);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger concurrent = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    List<Future<?>> tasks = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      tasks.add(
          pool.submit(
              () -> {
                peak.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
                release.await();
                concurrent.decrementAndGet();
                return null;
              }));
    }

    Await.until(() -> concurrent.get() == 3, Duration.ofSeconds(10));
    assertEquals(3, pool.getPoolSize());
    assertEquals(7, pool.getQueue().size());
    release.countDown();
    for (Future<?> task : tasks) {
      task.get(10, TimeUnit.SECONDS);
    }
    assertEquals(3, peak.get());
    assertEquals(3, threadsMade.get());
  }

  @Test
  void oneTaskAtATimeReusesOneThread() throws Exception {
    pool = ElasticThreadPool.create(8, Duration.ofSeconds(30), threads);
    Set<String> ranOn = ConcurrentHashMap.newKeySet();

    for (int i = 0; i < 20; i++) {
      pool.submit(() -> ranOn.add(Thread.currentThread().getName())).get(10, TimeUnit.SECONDS);
      // The thread that ran it is idle again before the next task arrives.
      Await.until(() -> pool.getActiveCount() == 0, Duration.ofSeconds(10));
    }

    assertEquals(Set.of("elastic-test-0"), ranOn);
    assertEquals(1, pool.getPoolSize());
  }

  @Test
  void aFailingTaskFreesItsPlace() throws Exception {
    pool = ElasticThreadPool.create(1, KEEP_ALIVE, threads);

    Future<?> failing =
        pool.submit(
            () -> {
              throw new IllegalStateException("boom");
            });
    assertThrows(
        java.util.concurrent.ExecutionException.class, () -> failing.get(10, TimeUnit.SECONDS));

    assertEquals("ok", pool.submit(() -> "ok").get(10, TimeUnit.SECONDS));
  }

  @Test
  void refusesWorkOnceShutDown() {
    pool = ElasticThreadPool.create(2, KEEP_ALIVE, threads);
    pool.shutdown();

    assertThrows(RejectedExecutionException.class, () -> pool.execute(() -> {}));
  }

  @Test
  void misuseFailsFastWithAMessage() {
    IllegalArgumentException noThreads =
        assertThrows(
            IllegalArgumentException.class, () -> ElasticThreadPool.create(0, KEEP_ALIVE, threads));
    assertTrue(noThreads.getMessage().contains("maxThreads"));
    IllegalArgumentException noKeepAlive =
        assertThrows(
            IllegalArgumentException.class,
            () -> ElasticThreadPool.create(1, Duration.ZERO, threads));
    assertTrue(noKeepAlive.getMessage().contains("keepAlive"));
    assertEquals(0, threadsMade.get());
  }

  @Test
  void idleKeepAliveComesFromTheSystemProperty() {
    String before = System.getProperty(ElasticThreadPool.IDLE_SECONDS_PROPERTY);
    try {
      System.clearProperty(ElasticThreadPool.IDLE_SECONDS_PROPERTY);
      assertEquals(Duration.ofSeconds(30), ElasticThreadPool.idleKeepAlive());
      System.setProperty(ElasticThreadPool.IDLE_SECONDS_PROPERTY, "0.5");
      assertEquals(Duration.ofMillis(500), ElasticThreadPool.idleKeepAlive());
      System.setProperty(ElasticThreadPool.IDLE_SECONDS_PROPERTY, "-1");
      IllegalArgumentException wrong =
          assertThrows(IllegalArgumentException.class, ElasticThreadPool::idleKeepAlive);
      assertTrue(wrong.getMessage().contains(ElasticThreadPool.IDLE_SECONDS_PROPERTY));
    } finally {
      if (before == null) {
        System.clearProperty(ElasticThreadPool.IDLE_SECONDS_PROPERTY);
      } else {
        System.setProperty(ElasticThreadPool.IDLE_SECONDS_PROPERTY, before);
      }
    }
  }
}
