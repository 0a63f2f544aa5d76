package dev.scopesync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.scopesync.bus.Addresses;
import dev.scopesync.bus.ClusterView;
import dev.scopesync.client.ScopesClient;
import dev.scopesync.model.SourceId;
import dev.scopesync.testing.Await;
import dev.scopesync.testing.ClusterFixture;
import dev.scopesync.testing.GitDaemon;
import dev.scopesync.testing.GitRemote;
import dev.scopesync.testing.RedisServer;
import dev.scopesync.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three scopesync nodes and a client application in one Hazelcast cluster on loopback, sharing a
 * real redis-server, with a git daemon remote.
 */
class ClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void threeNodesSyncEveryScopeAnnounceOnceAndDeleteEverywhere() throws Exception {
    Path remotes = Files.createDirectories(dir.resolve("remotes"));
    ClusterFixture cluster = new ClusterFixture(dir);
    try (GitRemote remote = GitRemote.create(remotes, "policies");
        RedisServer redis = RedisServer.launch();
        GitDaemon daemon = GitDaemon.start(remotes);
        TestNode a = TestNode.start(dir.resolve("a"), cluster.node(redis.url()));
        TestNode b = TestNode.start(dir.resolve("b"), cluster.node(redis.url()));
        TestNode c = TestNode.start(dir.resolve("c"), cluster.node(redis.url()))) {
      String first = remote.commit("init", Map.of("app/rbac.rego", "package app.rbac\n"));
      Vertx app = cluster.client();
      try {
        List<TestNode> nodes = List.of(a, b, c);
        ScopesClient client = ScopesClient.create(app);
        List<JsonObject> heard = new CopyOnWriteArrayList<>();
        List<JsonObject> syncedSeenByApp = new CopyOnWriteArrayList<>();
        // Both consumers on one context, so the app sees each node's messages in the order
        // that node published them: its policy-updated event (if any) before its synced event.
        Promise<Void> listening = Promise.promise();
        app.getOrCreateContext()
            .runOnContext(
                v ->
                    Future.all(
                            client.onPolicyUpdated("tenant-a", heard::add).completion(),
                            app.eventBus()
                                .<JsonObject>consumer(
                                    Addresses.FETCHER_SYNCED, m -> syncedSeenByApp.add(m.body()))
                                .completion())
                        .<Void>mapEmpty()
                        .onComplete(listening));
        listening.future().await(10, TimeUnit.SECONDS);
        List<String> nodeIds =
            List.of(a, b, c).stream().map(n -> ClusterView.of(n.vertx).nodeId()).toList();
        assertEquals(
            4,
            client.stats().await(10, TimeUnit.SECONDS).getInteger("cluster_nodes"),
            "three nodes and the app");

        // Put through one node's HTTP API: every node clones and syncs it.
        assertEquals(201, a.put(TestNode.scope("tenant-a", daemon.url("policies"))).statusCode());
        for (TestNode node : nodes) {
          assertEquals("ok", a.synced.awaitOne(on(node, "tenant-a"), WAIT).getString("outcome"));
        }
        assertAnnouncedOnce(heard, 1, syncedSeenByApp, nodeIds, first);
        // Every node's mirror of the shared store has it, and one put on another node.
        assertEquals(201, b.put(TestNode.scope("tenant-b", daemon.url("policies"))).statusCode());
        for (TestNode node : nodes) {
          Await.until(() -> status(node, "/scopes/tenant-b") == 200, WAIT);
          assertEquals(200, status(node, "/scopes/tenant-a"));
        }
        assertEquals(204, c.delete("tenant-b").statusCode());
        for (TestNode node : nodes) {
          Await.until(() -> status(node, "/scopes/tenant-b") == 404, WAIT);
          a.deleted.awaitOne(on(node, "tenant-b"), WAIT);
        }

        // A refresh asked of another node after a real commit updates all, announced once.
        String second =
            remote.commit("change", Map.of("app/rbac.rego", "package app.rbac\nallow = true\n"));
        client.refresh("tenant-a", null).await(10, TimeUnit.SECONDS);
        for (TestNode node : nodes) {
          a.synced.await(
              e -> on(node, "tenant-a").test(e) && second.equals(e.getString("commit")), 1, WAIT);
        }
        assertAnnouncedOnce(heard, 2, syncedSeenByApp, nodeIds, second);
        assertEquals(second, heard.get(1).getString("new_policy_hash"));
        // Every node serves the new bundle from its own clone.
        for (TestNode node : nodes) {
          JsonObject bundle =
              new JsonObject(node.request("GET", "/scopes/tenant-a/policy", null).body());
          assertEquals(second, bundle.getString("hash"));
        }
        JsonObject viaClient = client.policy("tenant-a", null).await(10, TimeUnit.SECONDS);
        assertEquals(second, viaClient.getString("hash"));

        // Delete on the third node: every node lets go of the source.
        client.delete("tenant-a").await(10, TimeUnit.SECONDS);
        for (TestNode node : nodes) {
          a.deleted.await(e -> on(node, "tenant-a").test(e) && e.getBoolean("purged"), 1, WAIT);
        }
        String sourceId = SourceId.of(daemon.url("policies"), "main", 1);
        for (TestNode node : nodes) {
          JsonObject stats = node.stats();
          for (String key :
              List.of("scopes", "repos", "last_fetched", "clone_dirs", "source_queues")) {
            assertEquals(0, stats.getInteger(key), key + " on a node: " + stats);
          }
          assertFalse(Files.exists(node.gitSources().resolve(sourceId)));
        }
        ReplyException gone =
            assertFailsWith(() -> client.get("tenant-a").await(10, TimeUnit.SECONDS));
        assertEquals(404, gone.failureCode());
        assertEquals(2, heard.size(), "exactly one policy-updated event per change, cluster-wide");
      } finally {
        app.close().await(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void aNodeLeavingDoesNotStopTheOthers() throws Exception {
    Path remotes = Files.createDirectories(dir.resolve("remotes"));
    ClusterFixture cluster = new ClusterFixture(dir);
    try (GitRemote remote = GitRemote.create(remotes, "policies");
        RedisServer redis = RedisServer.launch();
        TestNode a = TestNode.start(dir.resolve("a"), cluster.node(redis.url()))) {
      remote.commit("init", Map.of("p.rego", "package p\n"));
      TestNode b = TestNode.start(dir.resolve("b"), cluster.node(redis.url()));
      assertEquals(2, a.stats().getInteger("cluster_nodes"));
      b.close();
      Await.until(() -> statsNodes(a) == 1);
      JsonObject synced = a.putAndAwaitSync(TestNode.scope("after", "file://" + remote.barePath()));
      assertEquals("ok", synced.getString("outcome"));
      assertEquals(200, a.request("GET", "/scopes/after/policy", null).statusCode());
    }
  }

  private static int statsNodes(TestNode node) {
    try {
      return node.stats().getInteger("cluster_nodes");
    } catch (Exception e) {
      return -1;
    }
  }

  private static Predicate<JsonObject> on(TestNode node, String scopeId) {
    String id = ClusterView.of(node.vertx).nodeId();
    return e -> id.equals(e.getString("node")) && scopeId.equals(e.getString("scope_id"));
  }

  /**
   * Once the app has seen every node's synced event for {@code commit}, any node's policy-updated
   * event for it has reached the app too (a node publishes it first, and one node's messages arrive
   * in order): the count is then final, no waiting needed.
   */
  private static void assertAnnouncedOnce(
      List<JsonObject> heard,
      int count,
      List<JsonObject> synced,
      List<String> nodeIds,
      String commit)
      throws InterruptedException {
    Await.until(
        () ->
            nodeIds.stream()
                .allMatch(
                    id ->
                        synced.stream()
                            .anyMatch(
                                e ->
                                    id.equals(e.getString("node"))
                                        && commit.equals(e.getString("commit")))));
    assertEquals(count, heard.size(), "events: " + heard);
  }

  /** A GET's status on a node, -1 when it could not be asked. */
  private static int status(TestNode node, String path) {
    try {
      return node.request("GET", path, null).statusCode();
    } catch (java.io.IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static ReplyException assertFailsWith(ThrowingSupplier call) {
    try {
      call.get();
    } catch (ReplyException e) {
      return e;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("expected a failure");
  }

  private interface ThrowingSupplier {
    Object get() throws Exception;
  }
}
