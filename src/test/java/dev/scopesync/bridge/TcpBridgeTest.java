package dev.scopesync.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.testing.BridgeClient;
import dev.scopesync.testing.GitDaemon;
import dev.scopesync.testing.GitRemote;
import dev.scopesync.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TCP bridge spoken from a plain socket, as a Python or Go program would: 4-byte big-endian
 * length, then a JSON frame.
 */
class TcpBridgeTest {
  @TempDir Path dir;

  @Test
  void aPlainSocketGetsRepliesAndPolicyEventsButNothingInternal() throws Exception {
    Path remotes = Files.createDirectories(dir.resolve("remotes"));
    int port = GitDaemon.freePort();
    try (GitRemote remote = GitRemote.create(remotes, "p");
        GitDaemon daemon = GitDaemon.start(remotes);
        TestNode node =
            TestNode.start(
                dir.resolve("node"),
                c -> {
                  c.getJsonObject("bridge").put("tcpPort", port);
                  return c;
                });
        BridgeClient client = new BridgeClient(port)) {
      remote.commit("init", Map.of("a.rego", "package a\n"));
      client.send(
          new JsonObject()
              .put("type", "register")
              .put("address", "scopesync.policy-updated.tenant-a"));
      // A register is acknowledged by nothing; a ping round trip shows it was processed.
      client.send(new JsonObject().put("type", "ping"));
      assertEquals("pong", client.receive().getString("type"));

      client.send(
          new JsonObject()
              .put("type", "send")
              .put("address", "scopesync.scopes.put")
              .put("replyAddress", "put-reply")
              .put(
                  "body",
                  new JsonObject().put("scope", TestNode.scope("tenant-a", daemon.url("p")))));
      assertEquals(new JsonObject(), client.receiveFor("put-reply").getJsonObject("body"));

      JsonObject event = client.receiveFor("scopesync.policy-updated.tenant-a");
      assertEquals("tenant-a", event.getJsonObject("body").getString("scope_id"));

      client.send(
          new JsonObject()
              .put("type", "send")
              .put("address", "scopesync.scopes.get")
              .put("replyAddress", "get-reply")
              .put("body", new JsonObject().put("scope_id", "tenant-a")));
      JsonObject reply = client.receiveFor("get-reply");
      assertEquals("tenant-a", reply.getJsonObject("body").getString("scope_id"));

      client.send(
          new JsonObject()
              .put("type", "send")
              .put("address", "scopesync.scopes.get")
              .put("replyAddress", "missing-reply")
              .put("body", new JsonObject().put("scope_id", "nobody")));
      JsonObject missing = client.receiveFor("missing-reply");
      assertEquals("err", missing.getString("type"), missing.encode());
      assertTrue(missing.encode().contains("No such scope: nobody"), missing.encode());

      // Nothing under scopesync.fetcher. is reachable.
      client.send(
          new JsonObject()
              .put("type", "send")
              .put("address", "scopesync.fetcher.delete")
              .put("body", new JsonObject().put("scope_id", "tenant-a").put("source_id", "x")));
      JsonObject refused = client.receive();
      assertEquals("err", refused.getString("type"), refused.encode());
      assertEquals("access_denied", refused.getString("message"));
      assertEquals(200, node.request("GET", "/scopes/tenant-a", null).statusCode());
    }
  }
}
