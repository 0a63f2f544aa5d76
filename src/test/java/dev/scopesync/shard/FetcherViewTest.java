package dev.scopesync.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.scopesync.testing.Await;
import dev.scopesync.testing.ClusterFixture;
import dev.scopesync.testing.RedisServer;
import dev.scopesync.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fetcher view over real Hazelcast nodes on loopback (SHARDING.md §3.1): every node sees the
 * fetcher members by their stable names, an application with the client is no member, a node that
 * leaves is out of the view after it settles, and a node's name is kept on its disk.
 */
class FetcherViewTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void everyNodeSeesTheFetcherMembersAndALeaverIsDroppedOnceTheViewSettles() throws Exception {
    ClusterFixture cluster = new ClusterFixture(dir);
    try (RedisServer redis = RedisServer.launch()) {
      UnaryOperator<JsonObject> base = cluster.node(redis.url());
      TestNode a = TestNode.start(dir.resolve("a"), named(base, "fetcher-a"));
      TestNode b = TestNode.start(dir.resolve("b"), named(base, "fetcher-b"));
      TestNode c = TestNode.start(dir.resolve("c"), named(base, null));
      Vertx app = cluster.client();
      try {
        for (TestNode node : new TestNode[] {a, b, c}) {
          Await.until(() -> members(node) == 3, WAIT); // the app is no member
        }
        String kept =
            Files.readString(dir.resolve("c").resolve("data").resolve("node-name")).strip();
        assertEquals(36, kept.length(), "a UUID kept on c's disk: " + kept);
        for (TestNode node : new TestNode[] {a, b, c}) {
          assertEquals(
              java.util.List.of("fetcher-a", "fetcher-b", kept).stream().sorted().toList(),
              node.fetcher.members().placement().members().stream()
                  .map(Placement.Member::name)
                  .toList());
        }
        assertEquals(0, a.stats().getInteger("owned_sources"), "no clone, none owned");
        long before = a.stats().getLong("shard_view_version");

        c.close();
        Await.until(() -> members(a) == 2 && members(b) == 2, WAIT); // c left every view
        assertNotEquals(before, a.stats().getLong("shard_view_version"), "a new view was adopted");
      } finally {
        app.close().await(30, TimeUnit.SECONDS);
        a.close();
        b.close();
      }
    }
  }

  private static UnaryOperator<JsonObject> named(UnaryOperator<JsonObject> base, String name) {
    return c -> {
      JsonObject json = base.apply(c);
      json.getJsonObject("cluster").put("nodeName", name).put("settleMillis", 200);
      return json;
    };
  }

  private static int members(TestNode node) {
    try {
      return node.stats().getInteger("shard_members");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
