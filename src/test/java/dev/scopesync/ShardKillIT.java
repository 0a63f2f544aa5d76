package dev.scopesync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.model.SourceId;
import dev.scopesync.testing.Await;
import dev.scopesync.testing.ClusterFixture;
import dev.scopesync.testing.GitDaemon;
import dev.scopesync.testing.GitRemote;
import dev.scopesync.testing.RedisServer;
import dev.scopesync.testing.ServerProcess;
import dev.scopesync.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SHARDING.md §5 criterion 7 with real processes: three sharded nodes (R = 1) started the way the
 * README starts one ({@code scripts/run.sh}, 256 MB heap, Hazelcast's heartbeat at 1 s and a member
 * dropped after 10 s without one), a real redis-server and git daemon; one node is killed with
 * SIGKILL. Its scopes answer only 503 with {@code Retry-After} meanwhile and are served again by
 * both survivors within 20 s, each of its sources now cloned on exactly one survivor.
 */
class ShardKillIT {
  private static final int SOURCES = 12;
  private static final Duration WAIT = Duration.ofSeconds(120);

  @TempDir Path dir;

  @Test
  void aKilledNodesScopesAreServedAgainByTheSurvivorsWithinTwentySeconds() throws Exception {
    Path remotes = Files.createDirectories(dir.resolve("remotes"));
    List<GitRemote> repos = new ArrayList<>();
    for (int i = 0; i < SOURCES; i++) {
      GitRemote repo = GitRemote.create(remotes, "repo" + i);
      repo.commit("init", Map.of("app/rbac.rego", "package app.rbac\n# " + i + "\n"));
      repos.add(repo);
    }
    ClusterFixture cluster = new ClusterFixture(dir);
    List<ServerProcess> nodes = new ArrayList<>();
    try (RedisServer redis = RedisServer.launch();
        GitDaemon daemon = GitDaemon.start(remotes)) {
      Map<String, String> env =
          Map.of(
              "JAVA_OPTS",
              "-Xmx256m -Dhazelcast.heartbeat.interval.seconds=1"
                  + " -Dhazelcast.max.no.heartbeat.seconds=10",
              "SCOPESYNC_NO_BUILD",
              "1");
      for (String name : List.of("node-a", "node-b", "node-c")) {
        Path home = dir.resolve(name);
        JsonObject bare = ServerProcess.config(home).put("cluster", new JsonObject());
        JsonObject config = cluster.node(redis.url()).apply(bare);
        config
            .getJsonObject("cluster")
            .put("nodeName", name)
            .put("replicas", 1)
            .put("settleMillis", 500);
        config.getJsonObject("git").put("allowedSchemes", new JsonArray().add("git"));
        config.put("debug", new JsonObject().put("internalStats", true));
        ServerProcess node = ServerProcess.start(home, config, env);
        nodes.add(node);
        node.awaitReady(Duration.ofMinutes(3));
      }
      for (ServerProcess node : nodes) {
        Await.until(() -> stat(node, "shard_members") == 3, WAIT);
      }
      for (int i = 0; i < SOURCES; i++) {
        HttpResponse<String> put =
            nodes
                .get(i % 3)
                .send("PUT", "/scopes", TestNode.scope("s" + i, daemon.url("repo" + i)).encode());
        assertEquals(201, put.statusCode(), put.body());
      }
      Await.until(
          () ->
              nodes.stream().mapToInt(n -> stat(n, "clone_dirs")).sum() == SOURCES
                  && nodes.stream().allMatch(n -> stat(n, "acquiring_sources") == 0),
          WAIT);
      // The victim: the first node, the Hazelcast cluster's oldest member (its master), the hardest
      // member to lose; if the placement gave it no source, the node holding s0's.
      int victimIndex = 0;
      if (held(dir.resolve(name(0))) == 0) {
        String s0 = SourceId.of(daemon.url("repo0"), "main", 1);
        for (int i = 1; i < 3; i++) {
          if (Files.isDirectory(dir.resolve(name(i)).resolve("data/git_sources").resolve(s0))) {
            victimIndex = i;
          }
        }
      }
      List<String> orphaned = new ArrayList<>();
      Path victimSources = dir.resolve(name(victimIndex)).resolve("data/git_sources");
      for (int i = 0; i < SOURCES; i++) {
        if (Files.isDirectory(
            victimSources.resolve(SourceId.of(daemon.url("repo" + i), "main", 1)))) {
          orphaned.add("s" + i);
        }
      }
      assertTrue(!orphaned.isEmpty(), "the victim holds some of the " + SOURCES + " sources");
      ServerProcess victim = nodes.remove(victimIndex);
      victim.kill();

      List<String> unexpected =
          Takeover.awaitServed(nodes, orphaned, ShardKillIT::get, Duration.ofSeconds(20));
      assertEquals(List.of(), unexpected, "only 503 with Retry-After until a survivor serves");
      Await.until(() -> nodes.stream().mapToInt(n -> stat(n, "clone_dirs")).sum() == SOURCES, WAIT);
    } finally {
      for (ServerProcess node : nodes) {
        node.close();
      }
      for (GitRemote repo : repos) {
        repo.close();
      }
    }
  }

  private static long held(Path home) throws java.io.IOException {
    Path sources = home.resolve("data/git_sources");
    if (!Files.isDirectory(sources)) {
      return 0;
    }
    try (var list = Files.list(sources)) {
      return list.count();
    }
  }

  private static String name(int i) {
    return List.of("node-a", "node-b", "node-c").get(i);
  }

  private static HttpResponse<String> get(ServerProcess node, String path) {
    try {
      return node.send("GET", path, null);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static int stat(ServerProcess node, String key) {
    try {
      HttpResponse<String> got = node.send("GET", "/internal/stats", null);
      return got.statusCode() == 200 ? new JsonObject(got.body()).getInteger(key, -1) : -1;
    } catch (Exception e) {
      return -1;
    }
  }
}
