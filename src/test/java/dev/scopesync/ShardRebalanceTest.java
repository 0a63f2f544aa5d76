package dev.scopesync;

import static dev.scopesync.ShardedClusterTest.CLONES;
import static dev.scopesync.ShardedClusterTest.SOURCES;
import static dev.scopesync.ShardedClusterTest.WAIT;
import static dev.scopesync.ShardedClusterTest.awaitClones;
import static dev.scopesync.ShardedClusterTest.awaitMembers;
import static dev.scopesync.ShardedClusterTest.awaitQuiet;
import static dev.scopesync.ShardedClusterTest.expectedClones;
import static dev.scopesync.ShardedClusterTest.held;
import static dev.scopesync.ShardedClusterTest.sharded;
import static dev.scopesync.ShardedClusterTest.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.bus.Addresses;
import dev.scopesync.model.SourceId;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Membership changes in a sharded cluster (SHARDING.md §5, criteria 6, 7, 9, 10), on real Hazelcast
 * nodes, redis-server and git daemon: a joiner clones only its share and the holders let go only
 * once it is ready, with no failed request and no announcement; a restart under the same name
 * clones nothing; a crashed node's sources are taken over by the survivors; a node alone below
 * {@code cluster.minFetchers} clones nothing.
 */
class ShardRebalanceTest {
  @TempDir Path dir;

  private final List<GitRemote> repos = new ArrayList<>();
  private final Map<String, String> sourceOf = new HashMap<>();

  /** Repositories kept aside for {@link #putUntilOwnedBy}. */
  private static final int SPARE = 18;

  @Test
  void aJoinerTakesItsShareBeforeTheHoldersLetGoAndARestartUnderTheSameNameClonesNothing()
      throws Exception {
    ClusterFixture cluster = new ClusterFixture(dir);
    try (RedisServer redis = RedisServer.launch();
        GitDaemon daemon = GitDaemon.start(remotes())) {
      UnaryOperator<JsonObject> base = cluster.node(redis.url());
      List<TestNode> nodes = new ArrayList<>();
      Vertx app = cluster.client();
      Load load = null;
      try {
        nodes.add(TestNode.start(dir.resolve("node-a"), sharded(base, "node-a", 1, 1)));
        nodes.add(TestNode.start(dir.resolve("node-b"), sharded(base, "node-b", 1, 1)));
        awaitMembers(nodes, 2);
        List<JsonObject> updates = listen(app);
        putScopes(nodes, daemon);
        putUntilOwnedBy("node-c", List.of("node-a", "node-b", "node-c"), nodes, daemon);
        awaitClones(nodes, expectedClones(nodes, sourceOf, 1));
        Await.until(() -> updates.size() >= sourceOf.size(), WAIT);
        awaitQuiet(nodes);
        int announced = updates.size();
        double clonesBefore = sum(nodes, CLONES);

        // 6. A third node joins under load: only it clones, the holders purge once it is ready.
        load = new Load(nodes);
        TestNode c = TestNode.start(dir.resolve("node-c"), sharded(base, "node-c", 1, 1));
        nodes.add(c);
        awaitMembers(nodes, 3);
        Map<String, Set<String>> three = expectedClones(nodes, sourceOf, 1);
        awaitClones(nodes, three);
        awaitQuiet(nodes);
        int share = three.get("node-c").size();
        assertTrue(share > 0, "the joiner owns some of the " + SOURCES + " sources: " + three);
        assertEquals(share, c.metric(CLONES), "the joiner clones its share");
        assertEquals(clonesBefore + share, sum(nodes, CLONES), "and nobody else clones");
        assertEquals(announced, updates.size(), "a join announces nothing: " + updates);
        List<String> failures = load.stop();
        load = null;
        assertEquals(List.of(), failures, "no bundle request failed during the join");

        // 9. c restarts under its name: it reuses its clones (fetch only), the temporary
        // owners of its sources purge them again.
        nodes.remove(c);
        c.close();
        awaitMembers(nodes, 2);
        awaitClones(nodes, expectedClones(nodes, sourceOf, 1));
        TestNode again = TestNode.start(dir.resolve("node-c"), sharded(base, "node-c", 1, 1));
        nodes.add(again);
        awaitMembers(nodes, 3);
        awaitClones(nodes, three);
        assertEquals(0, again.metric(CLONES), "a restart under the same name clones nothing");
        assertEquals(three.get("node-c"), held(again));
      } finally {
        if (load != null) {
          load.stop();
        }
        for (TestNode node : nodes) {
          node.close();
        }
        app.close().await(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void withTwoReplicasACrashedNodesScopesAreServedThroughoutAndCopiedAgain() throws Exception {
    ClusterFixture cluster = new ClusterFixture(dir);
    try (RedisServer redis = RedisServer.launch();
        GitDaemon daemon = GitDaemon.start(remotes())) {
      UnaryOperator<JsonObject> base = cluster.node(redis.url());
      List<TestNode> nodes = new ArrayList<>();
      Load load = null;
      try {
        for (String name : List.of("node-a", "node-b", "node-c")) {
          nodes.add(TestNode.start(dir.resolve(name), sharded(base, name, 2, 1)));
        }
        awaitMembers(nodes, 3);
        Vertx app = cluster.client();
        List<JsonObject> updates = listen(app);
        putScopes(nodes, daemon);
        putUntilOwnedBy("node-c", List.of("node-a", "node-b", "node-c"), nodes, daemon);
        awaitClones(nodes, expectedClones(nodes, sourceOf, 2));
        Await.until(() -> updates.size() >= sourceOf.size(), WAIT);
        awaitQuiet(nodes);
        Placement three = nodes.get(0).fetcher.members().placement();
        int orphan = primaryOf("node-c", three);

        // 7. kill: c's member terminates without leaving, then its sockets drop. A push to a
        // source c was primary of, delivered while the survivors may still count c in: the
        // co-owner fetches it without announcing, and once promoted announces it exactly once.
        TestNode c = nodes.remove(2);
        load = new Load(nodes);
        c.crash();
        String pushed =
            repos
                .get(orphan)
                .commit("after the crash", Map.of("app/rbac.rego", "package app.rbac\nx = 1\n"));
        HttpResponse<String> push =
            ShardedPushes.push(nodes.get(0), "https://127.0.0.1/repo" + orphan + ".git", "main");
        assertEquals(200, push.statusCode(), push.body());
        awaitMembers(nodes, 2);
        awaitClones(nodes, expectedClones(nodes, sourceOf, 2)); // both survivors own everything
        Await.until(() -> announcedOf(updates, pushed).size() == 2, WAIT);
        awaitQuiet(nodes);
        List<String> failures = load.stop();
        load = null;
        assertEquals(List.of(), failures, "with R = 2 every request is served throughout");
        assertEquals(
            List.of("t" + orphan + "-a", "t" + orphan + "-b"),
            announcedOf(updates, pushed),
            "the change fetched while the primary was dead is announced once per scope");
        for (TestNode node : nodes) {
          for (String suffix : List.of("a", "b")) {
            String scopeId = "t" + orphan + "-" + suffix;
            assertEquals(pushed, scopeRef(node, sourceOf.get(scopeId), scopeId), scopeId);
          }
        }
        app.close().await(30, TimeUnit.SECONDS);
      } finally {
        if (load != null) {
          load.stop();
        }
        for (TestNode node : nodes) {
          node.close();
        }
      }
    }
  }

  @Test
  void withOneReplicaACrashedNodesScopesAreServedAgainWithinTwentySecondsAnd503sMeanwhile()
      throws Exception {
    ClusterFixture cluster = new ClusterFixture(dir);
    try (RedisServer redis = RedisServer.launch();
        GitDaemon daemon = GitDaemon.start(remotes())) {
      UnaryOperator<JsonObject> base = cluster.node(redis.url());
      List<TestNode> nodes = new ArrayList<>();
      try {
        for (String name : List.of("node-a", "node-b", "node-c")) {
          nodes.add(TestNode.start(dir.resolve(name), sharded(base, name, 1, 1)));
        }
        awaitMembers(nodes, 3);
        putScopes(nodes, daemon);
        putUntilOwnedBy("node-c", List.of("node-a", "node-b", "node-c"), nodes, daemon);
        Map<String, Set<String>> three = expectedClones(nodes, sourceOf, 1);
        awaitClones(nodes, three);
        awaitQuiet(nodes);
        List<String> orphaned =
            sourceOf.entrySet().stream()
                .filter(e -> three.get("node-c").contains(e.getValue()))
                .map(Map.Entry::getKey)
                .sorted()
                .toList();
        assertTrue(!orphaned.isEmpty(), "node-c owns some sources: " + three);

        // 7. kill -9 of c (R = 1): its scopes answer 503 with Retry-After, then 200 again
        // within 20 s, from either survivor.
        TestNode c = nodes.remove(2);
        c.crash();
        List<String> unexpected =
            Takeover.awaitServed(
                nodes, orphaned, ShardRebalanceTest::get, java.time.Duration.ofSeconds(20));
        assertEquals(List.of(), unexpected, "only 503 with Retry-After before the takeover");
        awaitClones(nodes, expectedClones(nodes, sourceOf, 1));
      } finally {
        for (TestNode node : nodes) {
          node.close();
        }
      }
    }
  }

  @Test
  void aNodeAloneBelowMinFetchersClonesNothingUntilAQuorumForms() throws Exception {
    ClusterFixture cluster = new ClusterFixture(dir);
    try (RedisServer redis = RedisServer.launch();
        GitDaemon daemon = GitDaemon.start(remotes())) {
      UnaryOperator<JsonObject> base = cluster.node(redis.url());
      List<TestNode> nodes = new ArrayList<>();
      try {
        TestNode a = TestNode.start(dir.resolve("node-a"), sharded(base, "node-a", 1, 2));
        nodes.add(a);
        HttpResponse<String> ready = a.request("GET", "/ready", null);
        assertEquals(503, ready.statusCode());
        assertTrue(ready.body().contains("cluster.minFetchers"), ready.body());
        String url = daemon.url("repo0");
        assertEquals(201, a.put(TestNode.scope("alone", url)).statusCode());
        assertEquals(
            "frozen",
            a.synced
                .awaitOne(e -> "alone".equals(e.getString("scope_id")), WAIT)
                .getString("outcome"));
        assertEquals(Set.of(), held(a), "a frozen node clones nothing");
        assertEquals(0, a.metric(CLONES));

        // 10. A second fetcher makes the quorum: the node thaws and the source is cloned.
        nodes.add(TestNode.start(dir.resolve("node-b"), sharded(base, "node-b", 1, 2)));
        awaitMembers(nodes, 2);
        sourceOf.put("alone", SourceId.of(url, "main", 1));
        awaitClones(nodes, expectedClones(nodes, sourceOf, 1));
        Await.until(() -> get(a, "/ready").statusCode() == 200, WAIT);
        for (TestNode node : nodes) {
          assertEquals(200, node.request("GET", "/scopes/alone/policy", null).statusCode());
        }
      } finally {
        for (TestNode node : nodes) {
          node.close();
        }
      }
    }
  }

  private Path remotes() throws Exception {
    Path remotes = Files.createDirectories(dir.resolve("remotes"));
    for (int i = 0; i < SOURCES + SPARE; i++) {
      GitRemote repo = GitRemote.create(remotes, "repo" + i);
      repo.commit("init", Map.of("app/rbac.rego", "package app.rbac\n# " + i + "\n"));
      repos.add(repo);
    }
    return remotes;
  }

  @org.junit.jupiter.api.AfterEach
  void closeRepos() throws Exception {
    for (GitRemote repo : repos) {
      repo.close();
    }
  }

  private void putScopes(List<TestNode> nodes, GitDaemon daemon) throws Exception {
    for (int i = 0; i < SOURCES; i++) {
      putSource(nodes, daemon, i);
    }
  }

  /**
   * Puts the scopes of repository {@code i}: two per source. Source ids hold the git daemon's port,
   * so which node owns what differs per run.
   */
  private void putSource(List<TestNode> nodes, GitDaemon daemon, int i) throws Exception {
    for (String suffix : List.of("a", "b")) {
      String scopeId = "t" + i + "-" + suffix;
      String url = daemon.url("repo" + i);
      assertEquals(201, nodes.get(i % nodes.size()).put(TestNode.scope(scopeId, url)).statusCode());
      sourceOf.put(scopeId, SourceId.of(url, "main", 1));
    }
  }

  /**
   * Puts spare repositories' scopes until the placement over {@code names} gives {@code joiner} a
   * source, so that a join always moves something (with 6 sources over 3 nodes a joiner owns none
   * about one run in eleven).
   */
  private void putUntilOwnedBy(
      String joiner, List<String> names, List<TestNode> nodes, GitDaemon daemon) throws Exception {
    Placement placement = Placement.of(names.stream().map(Placement.Member::of).toList());
    for (int i = SOURCES; i < SOURCES + SPARE; i++) {
      boolean owned =
          sourceOf.values().stream()
              .anyMatch(s -> placement.owners(s, 1).get(0).name().equals(joiner));
      if (owned) {
        return;
      }
      putSource(nodes, daemon, i);
    }
  }

  /** The index of a repository whose source's primary is {@code name} in the placement. */
  private int primaryOf(String name, Placement placement) {
    for (int i = 0; i < SOURCES + SPARE; i++) {
      String sourceId = sourceOf.get("t" + i + "-a");
      if (sourceId != null && placement.primary(sourceId).name().equals(name)) {
        return i;
      }
    }
    throw new AssertionError(name + " is primary of no source: " + sourceOf);
  }

  /** The scopes announced as changed to {@code commit}, sorted. */
  private static List<String> announcedOf(List<JsonObject> updates, String commit) {
    return updates.stream()
        .filter(u -> commit.equals(u.getString("new_policy_hash")))
        .map(u -> u.getString("scope_id"))
        .sorted()
        .toList();
  }

  /** The commit a scope's ref points at in a node's clone of its source. */
  static String scopeRef(TestNode node, String sourceId, String scopeId) {
    try (org.eclipse.jgit.lib.Repository repo =
        new org.eclipse.jgit.storage.file.FileRepositoryBuilder()
            .setGitDir(node.gitSources().resolve(sourceId).resolve(".git").toFile())
            .setMustExist(true)
            .build()) {
      org.eclipse.jgit.lib.Ref ref = repo.exactRef("refs/heads/scopes/" + scopeId);
      return ref == null ? null : ref.getObjectId().name();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static HttpResponse<String> get(TestNode node, String path) {
    try {
      return node.request("GET", path, null);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<JsonObject> listen(Vertx app) throws Exception {
    List<JsonObject> updates = new CopyOnWriteArrayList<>();
    app.eventBus()
        .<JsonObject>consumer(Addresses.POLICY_UPDATED, m -> updates.add(m.body()))
        .completion()
        .await(10, TimeUnit.SECONDS);
    return updates;
  }

  /**
   * A steady stream of bundle requests (about 20 a second) over every scope and node, recording
   * every answer that is not a bundle.
   */
  private final class Load {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final Thread thread;

    Load(List<TestNode> nodes) {
      List<TestNode> targets = List.copyOf(nodes);
      List<String> scopes = List.copyOf(sourceOf.keySet());
      thread =
          new Thread(
              () -> {
                int i = 0;
                while (running.get()) {
                  TestNode node = targets.get(i % targets.size());
                  String scopeId = scopes.get(i % scopes.size());
                  i++;
                  try {
                    HttpResponse<String> got =
                        node.request("GET", "/scopes/" + scopeId + "/policy", null);
                    if (got.statusCode() != 200) {
                      failures.add(scopeId + ": " + got.statusCode() + " " + got.body());
                    }
                    Thread.sleep(50); // a paced client, not a wait for a condition
                  } catch (InterruptedException e) {
                    return;
                  } catch (Exception e) {
                    failures.add(scopeId + ": " + e);
                  }
                }
              },
              "bundle-load");
      thread.start();
    }

    List<String> stop() throws InterruptedException {
      running.set(false);
      thread.join(30_000);
      return List.copyOf(failures);
    }
  }
}
