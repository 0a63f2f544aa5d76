package dev.scopesync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.testing.GitRemote;
import dev.scopesync.testing.RedisServer;
import dev.scopesync.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node on the Redis store, driven over real HTTP while its redis-server goes away and comes back.
 */
class RedisStoreOutageTest {
  @TempDir Path dir;
  private GitRemote policies;
  private RedisServer redis;
  private TestNode node;

  @BeforeEach
  void start() throws Exception {
    policies = GitRemote.create(Files.createDirectories(dir.resolve("remotes")), "policies");
    policies.commit("initial", Map.of("rbac.rego", "package app.rbac\nallow = true\n"));
    redis = RedisServer.launch();
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (node != null) {
        node.close();
      }
    } finally {
      policies.close();
      redis.close();
    }
  }

  private TestNode startNode() throws Exception {
    return TestNode.start(
        dir.resolve("node"),
        json -> {
          json.getJsonObject("store").put("type", "redis").put("redisUrl", redis.url());
          return json;
        });
  }

  @Test
  void whileRedisIsDownWritesGet503ReadsComeFromTheMirrorAndAllRecoverWithoutARestart()
      throws Exception {
    node = startNode();
    JsonObject synced = node.putAndAwaitSync(TestNode.scope("tenant-a", policies.fileUrl()));
    assertEquals("ok", synced.getString("outcome"), synced.encode());
    assertEquals(200, node.request("GET", "/scopes/tenant-a", null).statusCode());
    assertEquals(200, node.request("GET", "/ready", null).statusCode());

    redis.stop();
    String unreachable = "Redis at " + redis.url() + " is unreachable: ";
    // Reads are served from the node's mirror of the store (DESIGN §13); writes need Redis.
    assertEquals(200, node.request("GET", "/scopes/tenant-a", null).statusCode());
    assertEquals(1, new JsonArray(node.request("GET", "/scopes", null).body()).size());
    for (HttpResponse<String> response :
        List.of(
            node.put(TestNode.scope("tenant-b", policies.fileUrl())), node.delete("tenant-a"))) {
      assertEquals(503, response.statusCode(), response.body());
      assertTrue(
          new JsonObject(response.body()).getString("detail").startsWith(unreachable),
          response.body());
      assertEquals("5", response.headers().firstValue("Retry-After").orElse(null));
    }
    HttpResponse<String> ready = node.request("GET", "/ready", null);
    assertEquals(503, ready.statusCode());
    assertTrue(
        new JsonObject(ready.body())
            .getString("detail")
            .startsWith("not ready: store: " + unreachable),
        ready.body());
    assertEquals(200, node.request("GET", "/healthz", null).statusCode());

    redis.start();
    assertEquals(200, node.request("GET", "/ready", null).statusCode());
    HttpResponse<String> scope = node.request("GET", "/scopes/tenant-a", null);
    assertEquals(200, scope.statusCode(), scope.body());
    assertEquals("tenant-a", new JsonObject(scope.body()).getString("scope_id"));
    assertEquals(1, new JsonArray(node.request("GET", "/scopes", null).body()).size());
    assertEquals(201, node.put(TestNode.scope("tenant-b", policies.fileUrl())).statusCode());
    assertEquals(204, node.delete("tenant-a").statusCode());
    assertEquals(404, node.request("GET", "/scopes/tenant-a", null).statusCode());
  }

  @Test
  void aNodeStartedWhileRedisIsDownServesHealthReportsNotReadyAndBecomesReady() throws Exception {
    redis.stop();
    node = startNode();
    HttpResponse<String> ready = node.request("GET", "/ready", null);
    assertEquals(503, ready.statusCode());
    assertTrue(ready.body().contains("Redis at " + redis.url() + " is unreachable"), ready.body());
    assertEquals(200, node.request("GET", "/healthz", null).statusCode());
    assertEquals(503, node.request("GET", "/scopes", null).statusCode());

    redis.start();
    assertEquals(200, node.request("GET", "/ready", null).statusCode());
    assertEquals(201, node.put(TestNode.scope("tenant-a", policies.fileUrl())).statusCode());
    HttpResponse<String> scope = node.request("GET", "/scopes/tenant-a", null);
    assertEquals(200, scope.statusCode(), scope.body());
  }
}
