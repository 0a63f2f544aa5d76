package dev.scopesync.git.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ConnectGateTest {
  private final ConnectGate gate = new ConnectGate(4);

  @Test
  void aFifthConnectionToOneServerWaitsUntilOneOfFourIsAnswered() throws Exception {
    List<ConnectGate.Permit> opening = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      opening.add(gate.enter("127.0.0.1:9418", 1_000, () -> false));
    }
    CompletableFuture<ConnectGate.Permit> fifth =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return gate.enter("127.0.0.1:9418", 30_000, () -> false);
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });

    assertThrows(
        java.util.concurrent.TimeoutException.class, () -> fifth.get(200, TimeUnit.MILLISECONDS));
    opening.get(0).close();
    assertNotNull(fifth.get(10, TimeUnit.SECONDS));
  }

  @Test
  void otherServersAreNotHeldUp() throws Exception {
    for (int i = 0; i < 4; i++) {
      assertNotNull(gate.enter("127.0.0.1:9418", 1_000, () -> false));
    }

    assertNotNull(gate.enter("127.0.0.1:9419", 1, () -> false));
    assertNotNull(gate.enter("git.example.com:9418", 1, () -> false));
  }

  @Test
  void noPermitWithinTheTimeoutIsNull() throws Exception {
    for (int i = 0; i < 4; i++) {
      gate.enter("h:1", 1_000, () -> false);
    }

    long started = System.nanoTime();
    assertNull(gate.enter("h:1", 100, () -> false));
    assertTrue(System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(100));
  }

  @Test
  void aCancelledWaitGivesUpAtOnce() throws Exception {
    for (int i = 0; i < 4; i++) {
      gate.enter("h:1", 1_000, () -> false);
    }
    AtomicBoolean cancelled = new AtomicBoolean();
    CompletableFuture<ConnectGate.Permit> waiting =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return gate.enter("h:1", 0, cancelled::get);
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });

    cancelled.set(true);
    assertNull(waiting.get(10, TimeUnit.SECONDS));
  }

  @Test
  void closingAPermitTwiceFreesOnePlaceAndIdleServersAreForgotten() throws Exception {
    ConnectGate one = new ConnectGate(1);
    ConnectGate.Permit permit = one.enter("h:1", 1_000, () -> false);
    assertEquals(1, one.endpoints());

    permit.close();
    permit.close();

    assertEquals(0, one.endpoints());
    ConnectGate.Permit again = one.enter("h:1", 1_000, () -> false);
    assertNotNull(again);
    assertNull(one.enter("h:1", 50, () -> false), "still one place only");
    again.close();
    assertEquals(0, one.endpoints());
  }

  @Test
  void misuseFailsFast() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new ConnectGate(0));
    assertTrue(e.getMessage().contains("permits"));
  }
}
