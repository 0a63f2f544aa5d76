package dev.scopesync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.testing.ClusterFixture;
import dev.scopesync.testing.GitDaemon;
import dev.scopesync.testing.GitRemote;
import dev.scopesync.testing.OpalWsClient;
import dev.scopesync.testing.RedisServer;
import dev.scopesync.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two clustered nodes: a change made through one node reaches an OPAL client connected to the
 * other, once.
 */
class PubSubClusterTest {
  @TempDir Path dir;

  @Test
  void aClientOnOneNodeHearsChangesMadeOnTheOther() throws Exception {
    Path remotes = Files.createDirectories(dir.resolve("remotes"));
    ClusterFixture cluster = new ClusterFixture(dir);
    try (GitRemote remote = GitRemote.create(remotes, "policies");
        RedisServer redis = RedisServer.launch();
        GitDaemon daemon = GitDaemon.start(remotes);
        TestNode a = TestNode.start(dir.resolve("a"), cluster.node(redis.url()));
        TestNode b = TestNode.start(dir.resolve("b"), cluster.node(redis.url()))) {
      String first = remote.commit("init", Map.of("app/rbac.rego", "package app.rbac\n"));
      try (OpalWsClient policy = OpalWsClient.connect(b.server.httpPort(), null);
          OpalWsClient data = OpalWsClient.connect(b.server.httpPort(), null)) {
        policy.handshake("acme:policy:.");
        data.handshake("acme:data:policy_data");

        assertEquals(201, a.put(TestNode.scope("acme", daemon.url("policies"))).statusCode());
        JsonObject announced = policy.nextJson();
        JsonObject arguments = announced.getJsonObject("request").getJsonObject("arguments");
        assertEquals("acme:policy:.", arguments.getJsonObject("subscription").getString("topic"));
        assertEquals(first, arguments.getJsonObject("data").getString("new_policy_hash"));

        String second =
            remote.commit("change", Map.of("app/rbac.rego", "package app.rbac\nallow = true\n"));
        assertEquals(200, a.request("POST", "/scopes/acme/refresh", null).statusCode());
        JsonObject changed =
            policy
                .nextJson()
                .getJsonObject("request")
                .getJsonObject("arguments")
                .getJsonObject("data");
        assertEquals(first, changed.getString("old_policy_hash"));
        assertEquals(second, changed.getString("new_policy_hash"));
        assertEquals(
            new JsonArray().add(".").add("app"), changed.getJsonArray("changed_directories"));

        assertEquals(
            200,
            a.request(
                    "POST",
                    "/scopes/acme/data/update",
                    "{\"entries\": [{\"url\": \"\", \"data\": {\"x\": 1}}]}")
                .statusCode());
        JsonObject update =
            data.nextJson()
                .getJsonObject("request")
                .getJsonObject("arguments")
                .getJsonObject("data");
        assertEquals(
            new JsonArray().add("acme:data:policy_data"),
            update.getJsonArray("entries").getJsonObject(0).getJsonArray("topics"));

        // Each change was notified once, not once per node: the next frame on each socket is its
        // pong.
        for (OpalWsClient client : new OpalWsClient[] {policy, data}) {
          client.call("_ping_", new JsonObject());
          assertEquals("pong", client.nextJson().getJsonObject("response").getString("result"));
        }
        // The bundle the client then fetches is the same on either node.
        JsonObject bundle =
            new JsonObject(b.request("GET", "/scopes/acme/policy?path=.", null).body());
        assertTrue(
            second.equals(bundle.getString("hash")) || bundle.containsKey("detail"),
            bundle.encode());
      }
    }
  }
}
