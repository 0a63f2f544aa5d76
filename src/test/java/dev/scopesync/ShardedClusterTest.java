package dev.scopesync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.bus.Addresses;
import dev.scopesync.model.SourceId;
import dev.scopesync.serving.ServedBundles;
import dev.scopesync.shard.Placement;
import dev.scopesync.testing.Await;
import dev.scopesync.testing.ClusterFixture;
import dev.scopesync.testing.GitDaemon;
import dev.scopesync.testing.GitRemote;
import dev.scopesync.testing.RedisServer;
import dev.scopesync.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sharded fetchers over real Hazelcast nodes on loopback, a real redis-server and a real git daemon
 * (SHARDING.md §5): each source is cloned on exactly the R nodes the placement names, a push costs
 * R fetches cluster-wide and is announced once, and every node serves every scope byte for byte
 * with the same ETag, forwarding to an owner when it holds no clone.
 */
class ShardedClusterTest {
  static final Duration WAIT = Duration.ofSeconds(60);
  static final int SOURCES = 6;
  static final String FETCHES = "scopesync_git_operations_total{op=\"fetch\",outcome=\"ok\"}";
  static final String CLONES = "scopesync_git_operations_total{op=\"clone\",outcome=\"ok\"}";

  @TempDir Path dir;

  @ParameterizedTest(name = "R = {0}")
  @ValueSource(ints = {1, 2})
  void eachSourceLivesOnItsOwnersAPushCostsRFetchesAndEveryNodeServesIt(int r) throws Exception {
    Path remotes = Files.createDirectories(dir.resolve("remotes"));
    ClusterFixture cluster = new ClusterFixture(dir);
    List<GitRemote> repos = new ArrayList<>();
    for (int i = 0; i < SOURCES; i++) {
      GitRemote repo = GitRemote.create(remotes, "repo" + i);
      repo.commit("init", Map.of("app/rbac.rego", "package app.rbac\n# " + i + "\n"));
      repos.add(repo);
    }
    try (RedisServer redis = RedisServer.launch();
        GitDaemon daemon = GitDaemon.start(remotes)) {
      UnaryOperator<JsonObject> base = cluster.node(redis.url());
      List<TestNode> nodes = new ArrayList<>();
      Vertx app = cluster.client();
      try {
        for (String name : List.of("node-a", "node-b", "node-c")) {
          nodes.add(TestNode.start(dir.resolve(name), sharded(base, name, r, 1)));
        }
        awaitMembers(nodes, 3);
        List<JsonObject> updates = new CopyOnWriteArrayList<>();
        app.eventBus()
            .<JsonObject>consumer(Addresses.POLICY_UPDATED, m -> updates.add(m.body()))
            .completion()
            .await(10, TimeUnit.SECONDS);

        Map<String, String> sourceOf = new HashMap<>();
        for (int i = 0; i < SOURCES; i++) {
          for (String suffix : List.of("a", "b")) {
            String scopeId = "t" + i + "-" + suffix;
            String url = daemon.url("repo" + i);
            assertEquals(201, nodes.get(i % 3).put(TestNode.scope(scopeId, url)).statusCode());
            sourceOf.put(scopeId, SourceId.of(url, "main", 1));
          }
        }
        // 1. Placement: every source on exactly the R nodes the placement names, nowhere else.
        Map<String, Set<String>> expected = expectedClones(nodes, sourceOf, r);
        awaitClones(nodes, expected);
        int cloneDirs = 0;
        for (TestNode node : nodes) {
          cloneDirs += node.stats().getInteger("clone_dirs");
        }
        assertEquals(SOURCES * r, cloneDirs, "Σ clone_dirs = S·R");
        // Each scope first seen is announced once, by its source's primary.
        Await.until(() -> updates.size() >= sourceOf.size(), WAIT);
        awaitQuiet(nodes);
        assertEquals(sourceOf.size(), updates.size(), "one first-seen event per scope: " + updates);

        // 2. A push delivered to any node costs exactly R fetches, and 4. is announced once.
        String pushed =
            repos
                .get(0)
                .commit("change", Map.of("app/rbac.rego", "package app.rbac\nallow = true\n"));
        double fetchesBefore = sum(nodes, FETCHES);
        int updatesBefore = updates.size();
        TestNode receiver = nodes.get(2);
        HttpResponse<String> push =
            ShardedPushes.push(receiver, "https://127.0.0.1/repo0.git", "main");
        assertEquals(200, push.statusCode(), push.body());
        Await.until(() -> updates.size() >= updatesBefore + 2, WAIT);
        awaitQuiet(nodes);
        assertEquals(r, sum(nodes, FETCHES) - fetchesBefore, "a push costs R fetches");
        assertEquals(updatesBefore + 2, updates.size(), "t0-a and t0-b announced once each");
        for (JsonObject update : updates.subList(updatesBefore, updates.size())) {
          assertEquals(pushed, update.getString("new_policy_hash"));
        }
        // Every holder's scope refs are at the announced commit (the co-owner's followed it).
        for (TestNode node : nodes) {
          if (held(node).contains(sourceOf.get("t0-a"))) {
            for (String scopeId : List.of("t0-a", "t0-b")) {
              Await.until(
                  () ->
                      pushed.equals(
                          ShardRebalanceTest.scopeRef(node, sourceOf.get(scopeId), scopeId)),
                  WAIT);
            }
          }
        }

        // 5. Any node serves any scope: the same bytes and ETag, a 304 through a non-owner.
        for (String scopeId : sourceOf.keySet()) {
          Set<String> bodies = new HashSet<>();
          Set<String> etags = new HashSet<>();
          for (TestNode node : nodes) {
            HttpResponse<String> got = node.request("GET", "/scopes/" + scopeId + "/policy", null);
            assertEquals(200, got.statusCode(), scopeId + ": " + got.body());
            bodies.add(got.body());
            etags.add(got.headers().firstValue("ETag").orElseThrow());
            HttpResponse<String> tar =
                node.request("GET", "/scopes/" + scopeId + "/bundle.tar.gz", null);
            assertEquals(200, tar.statusCode(), scopeId + " tar");
            etags.add("tar:" + tar.headers().firstValue("ETag").orElseThrow());
          }
          assertEquals(1, bodies.size(), scopeId + " is served byte for byte alike");
          assertEquals(2, etags.size(), scopeId + " has one ETag per format everywhere: " + etags);
          String etag = etags.stream().filter(e -> !e.startsWith("tar:")).findFirst().orElseThrow();
          for (TestNode node : nodes) {
            HttpResponse<String> same =
                node.request(
                    "GET", "/scopes/" + scopeId + "/policy", null, Map.of("If-None-Match", etag));
            assertEquals(304, same.statusCode(), scopeId + " revalidates through every node");
          }
        }
        // A node without the source asks the owner that answered directly from its edge now
        // (OwnerShortcut), and a later push is served through it at once: after the
        // announcement no node answers the old commit.
        Placement placement = nodes.get(0).fetcher.members().placement();
        int shortcuts = 0;
        for (String scopeId : sourceOf.keySet()) {
          Set<String> owners = new HashSet<>();
          placement.owners(sourceOf.get(scopeId), r).forEach(m -> owners.add(m.nodeId()));
          for (TestNode node : nodes) {
            String peer = ServedBundles.of(node.vertx).peerFor(scopeId);
            if (held(node).contains(sourceOf.get(scopeId))) {
              assertNull(peer, scopeId + " is served from the node's own clone");
            } else {
              assertTrue(owners.contains(peer), scopeId + " is asked of an owner: " + peer);
              shortcuts++;
            }
          }
        }
        assertTrue(shortcuts > 0, "some node holds no clone of some source");
        String again =
            repos
                .get(0)
                .commit("again", Map.of("app/rbac.rego", "package app.rbac\nallow = false\n"));
        int updatesNow = updates.size();
        assertEquals(
            200,
            ShardedPushes.push(nodes.get(1), "https://127.0.0.1/repo0.git", "main").statusCode());
        Await.until(() -> updates.size() >= updatesNow + 2, WAIT);
        for (TestNode node : nodes) {
          HttpResponse<String> got = node.request("GET", "/scopes/t0-a/policy", null);
          assertEquals(200, got.statusCode());
          assertTrue(got.body().contains("allow = false"), "the pushed commit " + again);
        }
        double forwarded = 0;
        for (TestNode node : nodes) {
          forwarded += node.metric("scopesync_shard_forwards_total{outcome=\"ok\"}");
        }
        assertTrue(forwarded > 0, "non-owners forwarded to owners");

        // After every scope is deleted, nothing is held anywhere.
        for (String scopeId : sourceOf.keySet()) {
          assertEquals(204, nodes.get(0).delete(scopeId).statusCode());
        }
        for (TestNode node : nodes) {
          Await.until(() -> held(node).isEmpty() && stat(node, "repos") == 0, WAIT);
          JsonObject stats = node.stats();
          for (String key :
              List.of(
                  "repos",
                  "last_fetched",
                  "clone_dirs",
                  "source_queues",
                  "cached_bundles",
                  "owned_sources",
                  "releasing_sources",
                  "acquiring_sources")) {
            assertEquals(0, stats.getInteger(key), key + ": " + stats);
          }
        }
      } finally {
        for (TestNode node : nodes) {
          node.close();
        }
        app.close().await(30, TimeUnit.SECONDS);
        for (GitRemote repo : repos) {
          repo.close();
        }
      }
    }
  }

  static UnaryOperator<JsonObject> sharded(
      UnaryOperator<JsonObject> base, String name, int replicas, int minFetchers) {
    return c -> {
      JsonObject json = base.apply(c);
      json.getJsonObject("cluster")
          .put("nodeName", name)
          .put("replicas", replicas)
          .put("minFetchers", minFetchers)
          .put("settleMillis", 300);
      json.getJsonObject("webhook").put("secret", ShardedPushes.SECRET);
      return json;
    };
  }

  static void awaitMembers(List<TestNode> nodes, int members) throws InterruptedException {
    for (TestNode node : nodes) {
      Await.until(() -> stat(node, "shard_members") == members, WAIT);
    }
  }

  /** node name → the sources the placement gives it, over the members the first node sees. */
  static Map<String, Set<String>> expectedClones(
      List<TestNode> nodes, Map<String, String> sourceOf, int r) {
    Placement placement = nodes.get(0).fetcher.members().placement();
    Map<String, Set<String>> expected = new HashMap<>();
    for (TestNode node : nodes) {
      expected.put(node.config.shard().nodeName(), new TreeSet<>());
    }
    for (String sourceId : new HashSet<>(sourceOf.values())) {
      for (Placement.Member owner : placement.owners(sourceId, r)) {
        expected.computeIfAbsent(owner.name(), n -> new TreeSet<>()).add(sourceId);
      }
    }
    return expected;
  }

  static void awaitClones(List<TestNode> nodes, Map<String, Set<String>> expected)
      throws InterruptedException {
    for (TestNode node : nodes) {
      Set<String> want = expected.get(node.config.shard().nodeName());
      Await.until(
          () ->
              held(node).equals(want)
                  && stat(node, "acquiring_sources") == 0
                  && stat(node, "releasing_sources") == 0,
          WAIT);
    }
  }

  /** Waits until no node has git work pending. */
  static void awaitQuiet(List<TestNode> nodes) throws InterruptedException {
    for (TestNode node : nodes) {
      Await.until(() -> stat(node, "source_queues") == 0, WAIT);
    }
  }

  static Set<String> held(TestNode node) {
    try (Stream<Path> dirs = Files.list(node.gitSources())) {
      Set<String> names = new TreeSet<>();
      dirs.forEach(d -> names.add(d.getFileName().toString()));
      return names;
    } catch (java.nio.file.NoSuchFileException e) {
      return Set.of();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static int stat(TestNode node, String key) {
    try {
      return node.stats().getInteger(key);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static double sum(List<TestNode> nodes, String series) {
    double total = 0;
    for (TestNode node : nodes) {
      total += node.metric(series);
    }
    return total;
  }
}
