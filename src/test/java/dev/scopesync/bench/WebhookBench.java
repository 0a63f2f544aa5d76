package dev.scopesync.bench;

import dev.scopesync.testing.GitDaemon;
import dev.scopesync.testing.GitRemote;
import dev.scopesync.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * Webhook to policy-updated latency: from the POST of a push payload to the moment every concerned
 * scope's policy-updated event has been published, for a push that concerns one scope and one that
 * concerns 50 (same repository). The remote is a real git daemon.
 */
public final class WebhookBench {
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    Path dir = Files.createTempDirectory("scopesync-bench");
    Path remotes = Files.createDirectories(dir.resolve("remotes"));
    try (GitRemote one = GitRemote.create(remotes, "one");
        GitRemote fifty = GitRemote.create(remotes, "fifty")) {
      one.commit("init", Map.of("a/p.rego", "package a\n"));
      fifty.commit("init", Map.of("a/p.rego", "package a\n"));
      try (GitDaemon daemon = GitDaemon.start(remotes);
          TestNode node = TestNode.start(dir.resolve("node"))) {
        node.putAndAwaitSync(TestNode.scope("one", daemon.url("one")));
        for (int i = 0; i < 50; i++) {
          node.putAndAwaitSync(TestNode.scope("fifty-" + i, daemon.url("fifty")));
        }
        System.out.println("| webhook POST → policy-updated published | median | p99 | rounds |");
        System.out.println("|---|---|---|---|");
        measure(node, one, "one", 1, rounds);
        measure(node, fifty, "fifty", 50, rounds);
      }
    } finally {
      try (var walk = Files.walk(dir)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void measure(TestNode node, GitRemote remote, String repo, int scopes, int rounds)
      throws Exception {
    double[] ms = new double[rounds];
    for (int r = -3; r < rounds; r++) {
      String commit =
          remote.commit("round " + r, Map.of("a/p.rego", "package a\n# round " + r + "\n"));
      JsonObject payload =
          new JsonObject()
              .put("ref", "refs/heads/main")
              .put(
                  "repository",
                  new JsonObject().put("clone_url", "https://127.0.0.1/" + repo + ".git"));
      long t0 = System.nanoTime();
      JsonObject answer =
          new JsonObject(
              node.request("POST", "/webhook", payload.encode(), Map.of("X-GitHub-Event", "push"))
                  .body());
      if (answer.getJsonArray("scopes", new JsonArray()).size() != scopes) {
        throw new IllegalStateException("expected " + scopes + " scopes: " + answer);
      }
      node.policyUpdated.await(
          e -> commit.equals(e.getString("new_policy_hash")), scopes, Duration.ofSeconds(60));
      if (r >= 0) {
        ms[r] = (System.nanoTime() - t0) / 1e6;
      }
    }
    Arrays.sort(ms);
    System.out.printf(
        "| push concerning %d scope%s | %.1f ms | %.1f ms | %d |%n",
        scopes,
        scopes == 1 ? "" : "s",
        ms[rounds / 2],
        ms[Math.min(rounds - 1, (int) Math.ceil(rounds * 0.99) - 1)],
        rounds);
  }
}
