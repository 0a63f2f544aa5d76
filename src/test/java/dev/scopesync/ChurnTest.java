package dev.scopesync;

import static dev.scopesync.testing.EventLog.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.testing.GitDaemon;
import dev.scopesync.testing.GitRemote;
import dev.scopesync.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OPAL's leak, disproved: 200 scopes over 20 repositories served by git daemon are synced twice and
 * deleted; afterwards nothing is held for any source and the process's open descriptors are back at
 * their baseline.
 */
class ChurnTest {
  private static final int REPOS = 20;
  private static final int SCOPES = 200;
  private static final Duration WAIT = Duration.ofSeconds(120);

  @TempDir Path dir;

  @Test
  void afterChurnTheServerHoldsNothingForUnusedSources() throws Exception {
    Path remotes = Files.createDirectories(dir.resolve("remotes"));
    List<GitRemote> repos = new ArrayList<>();
    for (int r = 0; r < REPOS; r++) {
      GitRemote remote = GitRemote.create(remotes, "repo" + r);
      remote.commit("init", Map.of("p" + r + ".rego", "package p" + r + "\n", "d/data.json", "{}"));
      repos.add(remote);
    }
    try (GitDaemon daemon = GitDaemon.start(remotes);
        TestNode node = TestNode.start(dir.resolve("node"))) {
      // Baseline after one warm-up scope: lazily loaded classes and pools are not leaks.
      node.putAndAwaitSync(TestNode.scope("warm-up", daemon.url("repo0")));
      node.delete("warm-up");
      node.deleted.awaitOne(field("scope_id", "warm-up"), WAIT);
      int baselineFds = node.stats().getInteger("open_fds");

      for (int cycle = 0; cycle < 2; cycle++) {
        int before = node.synced.all().size();
        for (int s = 0; s < SCOPES; s++) {
          assertEquals(
              201,
              node.put(TestNode.scope("scope-" + s, daemon.url("repo" + (s % REPOS))))
                  .statusCode());
        }
        List<JsonObject> results = node.synced.await(e -> true, before + SCOPES, WAIT);
        assertTrue(
            results.subList(before, results.size()).stream()
                .allMatch(e -> "ok".equals(e.getString("outcome"))),
            "every sync succeeded");
        JsonObject stats = node.stats();
        assertEquals(SCOPES, stats.getInteger("scopes"));
        assertEquals(REPOS, stats.getInteger("repos"));
        assertEquals(REPOS, stats.getInteger("clone_dirs"));
        assertEquals(REPOS, stats.getInteger("last_fetched"));
      }

      node.deleted.clear();
      for (int s = 0; s < SCOPES; s++) {
        assertEquals(204, node.delete("scope-" + s).statusCode());
      }
      List<JsonObject> deletes = node.deleted.await(e -> true, SCOPES, WAIT);
      assertEquals(
          REPOS,
          deletes.stream().filter(e -> e.getBoolean("purged")).count(),
          "each source purged exactly once, by the delete of its last scope");

      JsonObject stats = node.stats();
      for (String key :
          List.of(
              "scopes",
              "repos",
              "last_fetched",
              "source_queues",
              "clone_dirs",
              "cached_bundles",
              "served_bundles")) {
        assertEquals(0, stats.getInteger(key), key + " in " + stats);
      }
      int fds = stats.getInteger("open_fds");
      assertTrue(fds <= baselineFds + 4, "open fds " + fds + " vs baseline " + baselineFds);
    } finally {
      repos.forEach(GitRemote::close);
    }
  }
}
