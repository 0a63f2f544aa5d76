package dev.scopesync.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InFlightLimitTest {
  @Test
  void neverRunsMoreThanTheLimitAndRunsEveryTaskInOrder() {
    InFlightLimit limit = new InFlightLimit(3);
    List<Promise<Integer>> started = new ArrayList<>();
    List<Future<Integer>> outcomes = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      outcomes.add(
          limit.run(
              () -> {
                Promise<Integer> p = Promise.promise();
                started.add(p);
                return p.future();
              }));
    }
    assertEquals(3, started.size(), "three at a time");
    assertEquals(7, limit.waiting());
    for (int i = 0; i < 10; i++) {
      started.get(i).complete(i);
      assertEquals(Math.min(10, i + 4), started.size(), "one more starts as one finishes");
    }
    for (int i = 0; i < 10; i++) {
      assertEquals(i, outcomes.get(i).result());
    }
    assertEquals(0, limit.waiting());
  }

  @Test
  void aFailedOrThrowingTaskFreesItsTurn() {
    InFlightLimit limit = new InFlightLimit(1);
    Future<Object> thrown =
        limit.run(
            () -> {
              throw new IllegalStateException("boom");
            });
    Future<Object> failed = limit.run(() -> Future.failedFuture("no"));
    Future<String> after = limit.run(() -> Future.succeededFuture("ran"));
    assertTrue(thrown.failed());
    assertTrue(failed.failed());
    assertEquals("ran", after.result());
  }
}
