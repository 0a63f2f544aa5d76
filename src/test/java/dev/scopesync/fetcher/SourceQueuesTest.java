package dev.scopesync.fetcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class SourceQueuesTest {

  @Test
  void jobsOfOneSourceRunInOrderOneAtATimeWhileOtherSourcesProceed(
      Vertx vertx, VertxTestContext test) {
    vertx.runOnContext(
        v -> {
          SourceQueues queues = new SourceQueues();
          List<String> log = new ArrayList<>();
          Promise<Void> firstA = Promise.promise();
          queues.submit(
              "a",
              () -> {
                log.add("a1 start");
                return firstA.future().onComplete(x -> log.add("a1 end"));
              });
          queues.submit(
              "a",
              () -> {
                log.add("a2 start");
                return Future.succeededFuture();
              });
          Future<Void> b =
              queues.submit(
                  "b",
                  () -> {
                    log.add("b1 start");
                    return Future.succeededFuture();
                  });
          test.verify(
              () -> {
                // b ran although a1 is still running; a2 waits for a1.
                assertEquals(List.of("a1 start", "b1 start"), log);
                assertTrue(b.succeeded());
                assertEquals(1, queues.size(), "b's entry is gone once drained, a's remains");
                assertEquals(2, queues.depth("a"));
              });
          firstA.complete();
          test.verify(
              () -> {
                assertEquals(List.of("a1 start", "b1 start", "a1 end", "a2 start"), log);
                assertEquals(0, queues.size(), "no entry survives once every queue drained");
                assertEquals(0, queues.depth("a"));
              });
          test.completeNow();
        });
  }

  @Test
  void aFailingJobDoesNotStopTheNextOne(Vertx vertx, VertxTestContext test) {
    vertx.runOnContext(
        v -> {
          SourceQueues queues = new SourceQueues();
          Future<Object> failed =
              queues.submit(
                  "a",
                  () -> {
                    throw new IllegalStateException("boom");
                  });
          Future<String> next = queues.submit("a", () -> Future.succeededFuture("ran"));
          next.onComplete(
              test.succeeding(
                  result ->
                      test.verify(
                          () -> {
                            assertTrue(failed.failed());
                            assertEquals("ran", result);
                            assertEquals(0, queues.size());
                            test.completeNow();
                          })));
        });
  }

  /**
   * On worker threads: source a's jobs never overlap, while a job of another source runs beside a's
   * first one. The first a job and the first b job each wait for the other to have started (a latch
   * with a deadline), so the test needs no timing: serialised sources would never meet.
   */
  @Test
  void neverMoreThanOneJobPerSourceRunsOnWorkerThreads(Vertx vertx, VertxTestContext test) {
    vertx.runOnContext(
        v -> {
          SourceQueues queues = new SourceQueues();
          AtomicInteger runningOnA = new AtomicInteger();
          AtomicInteger maxOnA = new AtomicInteger();
          CountDownLatch bothStarted = new CountDownLatch(2);
          AtomicBoolean metSideBySide = new AtomicBoolean();
          List<Future<Void>> all = new ArrayList<>();
          for (int i = 0; i < 40; i++) {
            String source = i % 2 == 0 ? "a" : "b" + i;
            boolean meets = i == 0 || i == 1;
            all.add(
                queues.submit(
                    source,
                    () ->
                        vertx.executeBlocking(
                            () -> {
                              if (source.equals("a")) {
                                maxOnA.accumulateAndGet(runningOnA.incrementAndGet(), Math::max);
                              }
                              if (meets) {
                                bothStarted.countDown();
                                if (bothStarted.await(10, TimeUnit.SECONDS)) {
                                  metSideBySide.set(true);
                                }
                              }
                              if (source.equals("a")) {
                                runningOnA.decrementAndGet();
                              }
                              return null;
                            },
                            false)));
          }
          Future.all(all)
              .onComplete(
                  test.succeeding(
                      x ->
                          test.verify(
                              () -> {
                                assertEquals(1, maxOnA.get(), "two jobs of source a overlapped");
                                assertTrue(
                                    metSideBySide.get(),
                                    "a job of source b ran beside source a's first job");
                                assertEquals(0, queues.size());
                                test.completeNow();
                              })));
        });
  }
}
