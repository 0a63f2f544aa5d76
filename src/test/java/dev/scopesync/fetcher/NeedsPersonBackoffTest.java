package dev.scopesync.fetcher;

import static dev.scopesync.testing.EventLog.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.scopesync.bus.FetcherOrders;
import dev.scopesync.bus.SyncOrder;
import dev.scopesync.git.RepositoryHandles;
import dev.scopesync.model.SourceId;
import dev.scopesync.testing.CapturedLogs;
import dev.scopesync.testing.GitRemote;
import dev.scopesync.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scope whose credentials the git host refuses needs a person: it is logged once, automatic syncs
 * back off (2, 4, 8, then 16 polling intervals), and a person's refresh still tries at once. Poll
 * ticks are driven by hand with an injected clock, so the test is exact and fast.
 */
class NeedsPersonBackoffTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int INTERVAL_SECONDS = 3600;

  @TempDir Path dir;

  private final CapturedLogs logs = new CapturedLogs();
  private Vertx hostVertx;
  private HttpServer host;
  private final AtomicInteger hostRequests = new AtomicInteger();

  /** A git host over HTTP that refuses every token, as GitHub does a wrong one: 401 with Basic. */
  @BeforeEach
  void startRefusingHost() throws Exception {
    hostVertx = Vertx.vertx();
    host =
        hostVertx
            .createHttpServer()
            .requestHandler(
                request -> {
                  hostRequests.incrementAndGet();
                  request
                      .response()
                      .setStatusCode(401)
                      .putHeader("WWW-Authenticate", "Basic realm=\"git\"")
                      .end();
                })
            .listen(0, "127.0.0.1")
            .await(30, TimeUnit.SECONDS);
    logs.attach();
  }

  @AfterEach
  void stop() throws Exception {
    logs.detach();
    hostVertx.close().await(30, TimeUnit.SECONDS);
  }

  @Test
  void aWrongTokenIsLoggedOnceOverTwentyPollTicksAndBacksOff() throws Exception {
    AtomicLong now = new AtomicLong(Instant.parse("2026-12-07T00:00:00Z").toEpochMilli());
    Clock clock = clockOf(now);
    String url = "http://127.0.0.1:" + host.actualPort() + "/acme/policies.git";
    try (TestNode node =
        TestNode.start(
            dir.resolve("node"),
            c -> c.put("polling", new JsonObject().put("intervalSeconds", INTERVAL_SECONDS)),
            (config, metrics) ->
                new FetcherVerticle(config, metrics, clock, RepositoryHandles.FILE_OPENER))) {
      JsonObject scope = TestNode.scope("s", url);
      scope
          .getJsonObject("policy")
          .put("auth", new JsonObject().put("auth_type", "github_token").put("token", "ghp_wrong"));
      JsonObject first = node.putAndAwaitSync(scope);
      assertEquals("error", first.getString("outcome"), first.encode());
      assertEquals("auth", first.getString("kind"), first.encode());
      assertTrue(first.getBoolean("needs_person"), first.encode());

      String sourceId = SourceId.of(url, "main", node.config.cloneShards());
      SyncOrder tick =
          new SyncOrder(
              List.of(new SyncOrder.Item("s", sourceId)), true, null, null, true, true, null);
      for (int i = 1; i <= 20; i++) {
        now.addAndGet(INTERVAL_SECONDS * 1000L);
        FetcherOrders.of(node.vertx).syncHere(tick).await(30, TimeUnit.SECONDS);
      }
      List<JsonObject> ticks = node.synced.matching(field("scope_id", "s"));
      long tried = ticks.stream().filter(e -> "error".equals(e.getString("outcome"))).count();
      long waited = ticks.stream().filter(e -> "backoff".equals(e.getString("outcome"))).count();
      // The put's sync, then ticks 2, 6 and 14 (delays of 2, 4 and 8 intervals; the next is 16).
      assertEquals(4, tried, ticks.toString());
      assertEquals(17, waited, ticks.toString());
      assertEquals(1, failureLines(), "one log line for the failure, not one per tick");

      // A person's refresh tries now, whatever the backoff: still refused, still not logged again.
      int before = hostRequests.get();
      assertEquals(200, node.request("POST", "/scopes/s/refresh", null).statusCode());
      node.synced.await(
          e -> "s".equals(e.getString("scope_id")) && "error".equals(e.getString("outcome")),
          5,
          WAIT);
      assertTrue(hostRequests.get() > before, "the refresh reached the git host");
      assertEquals(1, failureLines());

      // GET /scopes/{id}/status says what failed and that it needs a person.
      JsonObject status =
          new JsonObject(node.request("GET", "/scopes/s/status", null).body())
              .getJsonObject("status");
      assertEquals("error", status.getString("outcome"), String.valueOf(status));
      assertEquals("auth", status.getString("kind"));
      assertTrue(status.getBoolean("needs_person"));

      // Deleting the scope forgets its failure.
      node.delete("s");
      node.deleted.awaitOne(field("scope_id", "s"), WAIT);
      assertEquals(0, node.fetcher.failingScopes());
    }
  }

  @Test
  void aBackedOffScopeNeverTakesTheForcedFetchItsSiblingsOnTheSameSourceNeed() throws Exception {
    AtomicLong now = new AtomicLong(Instant.parse("2026-12-07T00:00:00Z").toEpochMilli());
    Clock clock = clockOf(now);
    try (GitRemote remote = GitRemote.create(dir.resolve("remotes"), "shared");
        TestNode node =
            TestNode.start(
                dir.resolve("node"),
                c -> c.put("polling", new JsonObject().put("intervalSeconds", INTERVAL_SECONDS)),
                (config, metrics) ->
                    new FetcherVerticle(config, metrics, clock, RepositoryHandles.FILE_OPENER))) {
      remote.commit("init", java.util.Map.of("a.rego", "package a\n"));
      // One source (git.cloneShards = 1): a scope on a branch that does not exist, and a good one.
      JsonObject broken = node.putAndAwaitSync(TestNode.scope("broken", remote.fileUrl(), "nope"));
      assertEquals("not_found", broken.getString("kind"), broken.encode());
      assertEquals(
          "ok",
          node.putAndAwaitSync(TestNode.scope("good", remote.fileUrl())).getString("outcome"));
      String sourceId = SourceId.of(remote.fileUrl(), "main", node.config.cloneShards());
      SyncOrder tick =
          new SyncOrder(
              List.of(new SyncOrder.Item("broken", sourceId), new SyncOrder.Item("good", sourceId)),
              true,
              null,
              null,
              true,
              true,
              null);
      for (int i = 1; i <= 6; i++) {
        String head =
            remote.commit("change " + i, java.util.Map.of("a.rego", "package a\n# " + i + "\n"));
        now.addAndGet(INTERVAL_SECONDS * 1000L);
        int before = node.synced.matching(field("scope_id", "good")).size();
        FetcherOrders.of(node.vertx).syncHere(tick).await(30, TimeUnit.SECONDS);
        JsonObject good =
            node.synced.await(field("scope_id", "good"), before + 1, WAIT).get(before);
        assertEquals(head, good.getString("commit"), "tick " + i + ": the good scope saw the push");
      }
    }
  }

  private static Clock clockOf(AtomicLong now) {
    return new Clock() {
      @Override
      public ZoneOffset getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return Instant.ofEpochMilli(now.get());
      }
    };
  }

  private long failureLines() {
    return logs.list.stream()
        .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
        .map(ILoggingEvent::getFormattedMessage)
        .filter(m -> m.contains("scope_id=s ") && m.contains("sync failed"))
        .count();
  }
}
