package dev.scopesync;

import static dev.scopesync.testing.EventLog.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.testing.GitDaemon;
import dev.scopesync.testing.GitRemote;
import dev.scopesync.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Boot sync, polling and hinted refreshes: fetch what is needed, no more. */
class SyncSchedulingTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void bootSyncFetchesEachSourceOnceAndNeverRunsMoreThanSyncConcurrencyAtOnce() throws Exception {
    Path remotes = Files.createDirectories(dir.resolve("remotes"));
    List<GitRemote> repos = new ArrayList<>();
    try {
      for (int r = 0; r < 20; r++) {
        GitRemote remote = GitRemote.create(remotes, "r" + r);
        remote.commit("init", Map.of("p.rego", "package p" + r + "\n"));
        repos.add(remote);
      }
      try (GitDaemon daemon = GitDaemon.start(remotes)) {
        JsonArray scopes = new JsonArray();
        for (int s = 0; s < 100; s++) {
          scopes.add(TestNode.scope("s" + s, daemon.url("r" + (s % 20))));
        }
        // First start: clones every source once.
        try (TestNode node =
            TestNode.start(
                dir.resolve("node"),
                c -> {
                  c.put("scopes", scopes);
                  c.getJsonObject("git").put("syncConcurrency", 4);
                  return c;
                })) {
          List<JsonObject> synced = node.synced.await(e -> true, 100, WAIT);
          assertEquals(20, synced.stream().filter(e -> e.getBoolean("cloned")).count());
          assertEquals(0, synced.stream().filter(e -> e.getBoolean("fetched")).count());
          assertTrue(
              node.fetcher.peakSyncsInFlight() <= 4, "peak " + node.fetcher.peakSyncsInFlight());
          assertTrue(node.fetcher.peakSyncsInFlight() >= 2, "syncs ran side by side");
        }
        // Restart on the same clones: one forced fetch per source, 80 syncs without fetching.
        try (TestNode node =
            TestNode.start(
                dir.resolve("node"),
                c -> {
                  c.getJsonObject("git").put("syncConcurrency", 4);
                  return c;
                })) {
          List<JsonObject> synced = node.synced.await(e -> true, 100, WAIT);
          assertTrue(synced.stream().allMatch(e -> "ok".equals(e.getString("outcome"))));
          assertEquals(
              20,
              synced.stream().filter(e -> e.getBoolean("fetched")).count(),
              "20 fetches, not 100");
          assertEquals(
              0, synced.stream().filter(e -> e.getBoolean("cloned")).count(), "clones reused");
          assertTrue(
              node.fetcher.peakSyncsInFlight() <= 4, "peak " + node.fetcher.peakSyncsInFlight());
        }
      }
    } finally {
      repos.forEach(GitRemote::close);
    }
  }

  @Test
  void pollingRefreshesOnlyScopesThatAskForIt() throws Exception {
    Path remotes = Files.createDirectories(dir.resolve("remotes"));
    try (GitRemote polled = GitRemote.create(remotes, "polled");
        GitRemote quiet = GitRemote.create(remotes, "quiet")) {
      polled.commit("init", Map.of("p.rego", "package p\n"));
      quiet.commit("init", Map.of("q.rego", "package q\n"));
      try (GitDaemon daemon = GitDaemon.start(remotes);
          TestNode node =
              TestNode.start(
                  dir.resolve("node"),
                  c -> {
                    c.getJsonObject("polling").put("intervalSeconds", 1);
                    return c;
                  })) {
        JsonObject pollScope = TestNode.scope("polled", daemon.url("polled"));
        pollScope.getJsonObject("policy").put("poll_updates", true);
        node.putAndAwaitSync(pollScope);
        node.putAndAwaitSync(TestNode.scope("quiet", daemon.url("quiet")));
        int quietSyncs = node.synced.matching(field("scope_id", "quiet")).size();

        String newPolled = polled.commit("change", Map.of("p.rego", "package p\nallow = true\n"));
        quiet.commit("change", Map.of("q.rego", "package q\nallow = true\n"));
        JsonObject update =
            node.policyUpdated.awaitOne(
                e ->
                    "polled".equals(e.getString("scope_id"))
                        && newPolled.equals(e.getString("new_policy_hash")),
                WAIT);
        assertEquals(List.of("."), update.getJsonArray("changed_directories").getList());
        // Two more ticks pass; the quiet scope is never synced by them.
        int polledSyncs = node.synced.matching(field("scope_id", "polled")).size();
        node.synced.await(field("scope_id", "polled"), polledSyncs + 2, WAIT);
        assertEquals(quietSyncs, node.synced.matching(field("scope_id", "quiet")).size());
        assertTrue(
            node.policyUpdated.matching(field("scope_id", "quiet")).size() == 1,
            "only its first sync");
      }
    }
  }

  @Test
  void aHintedRefreshFetchesOnlyWhenTheCommitIsMissing() throws Exception {
    Path remotes = Files.createDirectories(dir.resolve("remotes"));
    try (GitRemote remote = GitRemote.create(remotes, "p")) {
      String first = remote.commit("init", Map.of("p.rego", "package p\n"));
      try (GitDaemon daemon = GitDaemon.start(remotes);
          TestNode node = TestNode.start(dir.resolve("node"))) {
        node.putAndAwaitSync(TestNode.scope("s", daemon.url("p")));
        JsonObject known = refresh(node, "?hinted_hash=" + first);
        assertFalse(known.getBoolean("fetched"), "the hinted commit is already in the clone");
        String second = remote.commit("change", Map.of("p.rego", "package p\nallow = true\n"));
        JsonObject missing = refresh(node, "?hinted_hash=" + second.substring(0, 12));
        assertTrue(missing.getBoolean("fetched"));
        assertEquals(second, missing.getString("commit"));
        JsonObject forced = refresh(node, "");
        assertTrue(forced.getBoolean("fetched"), "no hint: a forced fetch");
      }
    }
  }

  private static JsonObject refresh(TestNode node, String query) throws Exception {
    int before = node.synced.matching(field("scope_id", "s")).size();
    assertEquals(200, node.request("POST", "/scopes/s/refresh" + query, null).statusCode());
    return node.synced.await(field("scope_id", "s"), before + 1, WAIT).get(before);
  }
}
