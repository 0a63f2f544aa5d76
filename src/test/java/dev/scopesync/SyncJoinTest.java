package dev.scopesync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.testing.Await;
import dev.scopesync.testing.EventLog;
import dev.scopesync.testing.SilentServer;
import dev.scopesync.testing.TestNode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Orders for scopes whose sync is still waiting join it (issue 12): refreshes of a source that is
 * busy queue each of its scopes at most twice, whatever the number of refreshes.
 */
class SyncJoinTest {
  private static final int SCOPES = 100;
  private static final int REFRESHES = 20;

  @TempDir Path dir;

  @Test
  void refreshesOfABusySourceJoinTheWaitingSyncsInsteadOfPilingUp() throws Exception {
    SilentServer silent = new SilentServer();
    try (TestNode node =
        TestNode.start(
            dir.resolve("node"),
            c -> {
              c.getJsonObject("git").put("timeoutSeconds", 3);
              return c;
            })) {
      String url = "git://127.0.0.1:" + silent.port() + "/r.git";
      for (int i = 0; i < SCOPES; i++) {
        assertEquals(201, node.put(TestNode.scope("s" + i, url)).statusCode());
      }
      // The source's first clone hangs on the silent remote; every other sync waits behind it.
      Await.until(() -> silent.connections() == 1, Duration.ofSeconds(30));
      for (int r = 0; r < REFRESHES; r++) {
        assertEquals(200, node.request("POST", "/scopes/refresh", null).statusCode());
        assertEquals(
            200, node.request("POST", "/scopes/s" + (r % SCOPES) + "/refresh", null).statusCode());
      }
      // Every order has reached the fetcher once the refreshes' messages are handled.
      Await.until(
          () -> node.metric("scopesync_source_queue_jobs") >= SCOPES, Duration.ofSeconds(30));
      // A barrier, not a pause: every sync order was queued to the fetcher's context before its
      // refresh was answered, so the fetcher answers this stats request after taking them all in.
      node.stats();
      double jobs = node.metric("scopesync_source_queue_jobs");
      assertTrue(
          jobs <= SCOPES + 1,
          "each scope queued at most once behind the running clone: "
              + jobs
              + " jobs (without joining, each refresh adds up to its message's lanes more)");

      // The remote goes away: the hung clone times out, the waiting syncs fail fast, the queue
      // drains.
      silent.close();
      Await.until(() -> node.metric("scopesync_source_queue_jobs") == 0, Duration.ofSeconds(60));
      int outcomes = node.synced.matching(e -> true).size();
      assertTrue(
          outcomes >= SCOPES && outcomes <= 2 * SCOPES,
          "one sync per scope, a second for those refreshed while theirs ran: " + outcomes);
      for (int i = 0; i < SCOPES; i++) {
        assertTrue(
            !node.synced.matching(EventLog.field("scope_id", "s" + i)).isEmpty(),
            "s" + i + " was synced");
      }
    } finally {
      silent.close();
    }
  }
}
