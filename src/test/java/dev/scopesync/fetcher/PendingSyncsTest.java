package dev.scopesync.fetcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class PendingSyncsTest {
  private static final Instant T0 = Instant.parse("2026-11-30T00:00:00Z");

  /** A source queue the test drives by hand: jobs start only when {@link #startNext} is called. */
  private final Deque<Supplier<Future<Void>>> queue = new ArrayDeque<>();

  private final List<PendingSyncs.Order> ran = new ArrayList<>();
  private final List<Promise<Void>> running = new ArrayList<>();
  private final PendingSyncs pending = new PendingSyncs();

  /** Takes an order in and, unless it joined a waiting one, puts its job in the queue at once. */
  private Future<Void> submit(PendingSyncs.Order order) {
    PendingSyncs.Ticket ticket = register(order);
    return ticket.start() == null ? ticket.done() : ticket.start().get();
  }

  private PendingSyncs.Ticket register(PendingSyncs.Order order) {
    return pending.register(
        order,
        job -> {
          Promise<Void> done = Promise.promise();
          queue.add(() -> job.get().onComplete(done));
          return done.future();
        },
        this::run);
  }

  private Future<Void> run(PendingSyncs.Order order) {
    ran.add(order);
    Promise<Void> done = Promise.promise();
    running.add(done);
    return done.future();
  }

  private void startNext() {
    queue.removeFirst().get();
  }

  private static PendingSyncs.Order order(
      String scope, String source, boolean force, String hint, int second, boolean announce) {
    return new PendingSyncs.Order(scope, source, force, hint, T0.plusSeconds(second), announce);
  }

  @Test
  void ordersForAScopeWhoseSyncHasNotStartedJoinItAndAllCompleteWithIt() {
    Future<Void> first = submit(order("a", "src1", false, null, 1, false));
    Future<Void> second = submit(order("a", "src1", true, "abc123", 3, true));
    Future<Void> third = submit(order("a", "src1", false, null, 2, false));

    assertEquals(1, queue.size(), "one job queued for three orders");
    assertEquals(2, pending.joined());
    startNext();
    assertEquals(
        List.of(new PendingSyncs.Order("a", "src1", true, "abc123", T0.plusSeconds(3), true)),
        ran,
        "the job runs the union: forced, the latest hint and request time, announced");
    assertEquals(0, pending.size(), "a started sync is no longer waiting");
    assertFalse(first.isComplete());
    running.get(0).complete();
    assertTrue(first.succeeded() && second.succeeded() && third.succeeded());
  }

  @Test
  void ordersJoinOneThatIsTakenInButNotYetQueued() {
    PendingSyncs.Ticket first = register(order("a", "src1", false, null, 1, false));
    PendingSyncs.Ticket second = register(order("a", "src1", true, null, 2, false));

    assertTrue(second.start() == null, "joined: nothing of its own to start");
    assertEquals(0, queue.size(), "nothing queued before the lane starts it");
    first.start().get();
    startNext();
    assertEquals(
        List.of(new PendingSyncs.Order("a", "src1", true, null, T0.plusSeconds(2), false)), ran);
    running.get(0).complete();
    assertTrue(first.done().succeeded() && second.done().succeeded());
  }

  @Test
  void anOrderArrivingWhileTheSyncRunsQueuesOneMoreJob() {
    submit(order("a", "src1", false, null, 1, false));
    startNext();
    Future<Void> later = submit(order("a", "src1", true, null, 2, false));
    Future<Void> later2 = submit(order("a", "src1", false, null, 3, false));

    assertEquals(
        1,
        queue.size(),
        "the running sync may have read the remote before the change: one more job");
    running.get(0).complete();
    assertFalse(later.isComplete());
    startNext();
    assertEquals(
        new PendingSyncs.Order("a", "src1", true, null, T0.plusSeconds(3), false), ran.get(1));
    running.get(1).complete();
    assertTrue(later.succeeded() && later2.succeeded());
  }

  @Test
  void differentScopesAndTheSameScopeOnAnotherSourceNeverJoin() {
    submit(order("a", "src1", false, null, 1, false));
    submit(order("b", "src1", false, null, 1, false));
    submit(order("a", "src2", false, null, 1, false));

    assertEquals(3, queue.size());
    assertEquals(0, pending.joined());
  }

  @Test
  void repeatedPushesToAManyScopeSourceQueueEachScopeAtMostTwice() {
    int scopes = 500;
    for (int push = 0; push < 100; push++) {
      for (int s = 0; s < scopes; s++) {
        submit(order("s" + s, "src1", true, null, push, true));
      }
      if (push == 0) {
        for (int i = 0; i < 10; i++) {
          startNext(); // ten of the first push's syncs run; the rest still wait
        }
      }
    }

    assertEquals(
        scopes, queue.size(), "each scope waits once (the ten running ones' next jobs included)");
    assertEquals(10, running.size());
    assertEquals(scopes, pending.size());
    assertEquals(100 * scopes - scopes - 10, pending.joined());
  }

  @Test
  void aFailedSyncFailsEveryOrderItCarried() {
    Future<Void> first = submit(order("a", "src1", false, null, 1, false));
    Future<Void> second = submit(order("a", "src1", false, null, 2, false));
    startNext();
    running.get(0).fail(new IllegalStateException("remote gone"));

    assertTrue(first.failed() && second.failed());
    assertEquals("remote gone", second.cause().getMessage());
    assertEquals(0, pending.size());
  }
}
