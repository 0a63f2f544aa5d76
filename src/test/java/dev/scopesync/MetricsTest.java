package dev.scopesync;

import static dev.scopesync.testing.EventLog.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.testing.Await;
import dev.scopesync.testing.GitRemote;
import dev.scopesync.testing.SilentServer;
import dev.scopesync.testing.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /metrics after a sync, a failed fetch, bundle requests and deletes: every series with its value.
 */
class MetricsTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void everyDesignedSeriesCarriesTheRightValue() throws Exception {
    try (GitRemote remote = GitRemote.create(Files.createDirectories(dir.resolve("remotes")), "p");
        SilentServer silent = new SilentServer();
        TestNode node =
            TestNode.start(
                dir.resolve("node"),
                c -> {
                  c.getJsonObject("git").put("timeoutSeconds", 2);
                  return c;
                })) {
      remote.commit("init", Map.of("a.rego", "package a\n", "README.md", "x"));
      node.putAndAwaitSync(TestNode.scope("tenant-secret-id", remote.fileUrl()));
      remote.commit("change", Map.of("a.rego", "package a\nallow = true\n"));
      int before = node.synced.matching(field("scope_id", "tenant-secret-id")).size();
      node.request("POST", "/scopes/tenant-secret-id/refresh", null);
      node.synced.await(field("scope_id", "tenant-secret-id"), before + 1, WAIT);
      node.putAndAwaitSync(TestNode.scope("hung", "http://127.0.0.1:" + silent.port() + "/r.git"));
      assertEquals(200, node.request("GET", "/scopes/tenant-secret-id/policy", null).statusCode());
      assertEquals(200, node.request("GET", "/scopes/tenant-secret-id/policy", null).statusCode());
      node.request(
          "POST",
          "/webhook",
          "{\"ref\":\"refs/heads/main\",\"repository\":{\"clone_url\":\"https://x/y.git\"}}",
          Map.of("X-GitHub-Event", "push"));

      String text = scrape(node);
      assertEquals(2, value(text, "scopesync_scopes"));
      assertEquals(1, value(text, "scopesync_repositories_open"));
      assertEquals(1, value(text, "scopesync_last_fetched_entries"));
      assertEquals(0, value(text, "scopesync_source_queues"));
      assertEquals(1, value(text, "scopesync_clone_dirs"), "the failed clone left no directory");
      assertEquals(
          1, value(text, "scopesync_shard_owned_sources"), "cluster.replicas = 0: it owns its one");
      assertTrue(value(text, "scopesync_bundle_cache_bytes") > 0);
      assertEquals(1, value(text, "scopesync_git_operations_total{op=\"clone\",outcome=\"ok\"}"));
      assertEquals(1, value(text, "scopesync_git_operations_total{op=\"fetch\",outcome=\"ok\"}"));
      assertEquals(
          1, value(text, "scopesync_git_operations_total{op=\"clone\",outcome=\"timeout\"}"));
      assertEquals(
          3,
          value(text, "scopesync_git_operation_seconds_count{op=\"clone\"}")
              + value(text, "scopesync_git_operation_seconds_count{op=\"fetch\"}"));
      assertEquals(1, value(text, "scopesync_bundle_builds_total"));
      assertEquals(1, value(text, "scopesync_bundle_cache_hits_total"));
      assertEquals(1, value(text, "scopesync_webhooks_total{outcome=\"ignored\"}"));
      assertEquals(2, value(text, "scopesync_policy_updates_total"));
      assertEquals(0, value(text, "scopesync_long_polls_held"));
      assertEquals(1, value(text, "scopesync_scopes_synced_within{seconds=\"60\"}"));
      assertTrue(text.contains("vertx_http_server_requests_total"), "Vert.x's HTTP series");
      assertTrue(
          text.contains("route=\"/scopes/:scopeId/policy\""), "routes are patterns, not ids");
      assertFalse(text.contains("tenant-secret-id"), "no label holds a scope id");
      assertFalse(text.contains(remote.fileUrl()), "no label holds a url");

      node.delete("tenant-secret-id");
      node.delete("hung");
      node.deleted.await(e -> true, 2, WAIT);
      // The delete job's event goes out just before its queue entry is dropped.
      Await.until(() -> node.metric("scopesync_source_queues") == 0);
      text = scrape(node);
      for (String gauge :
          new String[] {
            "scopesync_scopes",
            "scopesync_repositories_open",
            "scopesync_last_fetched_entries",
            "scopesync_source_queues",
            "scopesync_clone_dirs",
            "scopesync_bundle_cache_bytes",
            "scopesync_scopes_synced_within{seconds=\"+Inf\"}"
          }) {
        assertEquals(0, value(text, gauge), gauge);
      }
    }
  }

  private static String scrape(TestNode node) throws Exception {
    var response = node.request("GET", "/metrics", null);
    assertEquals(200, response.statusCode());
    return response.body();
  }

  /**
   * The value of a series, given its name and (optional) exact label set as Prometheus prints it.
   */
  private static double value(String text, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(text);
    if (!m.find()) {
      throw new AssertionError(
          "no series "
              + series
              + " in:\n"
              + text.lines()
                  .filter(l -> l.startsWith("scopesync"))
                  .reduce("", (a, b) -> a + b + "\n"));
    }
    return Double.parseDouble(m.group(1));
  }
}
