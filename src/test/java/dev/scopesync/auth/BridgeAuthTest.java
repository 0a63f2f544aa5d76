package dev.scopesync.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.scopesync.testing.BridgeClient;
import dev.scopesync.testing.GitDaemon;
import dev.scopesync.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bridge's inbound requests and subscriptions obey the HTTP API's JWT rules. */
class BridgeAuthTest {
  /** What the bridge answers when our rules refuse a frame. */
  private static final String BLOCKED = "blocked by bridgeEvent handler";

  private final KeyPair key = TestTokens.rsa();

  @TempDir Path dir;

  private String token(String peerType, List<String> scopes) {
    return TestTokens.opal(key.getPrivate(), peerType, scopes);
  }

  private static JsonObject get(String scopeId, String reply, String token) {
    JsonObject frame =
        new JsonObject()
            .put("type", "send")
            .put("address", "scopesync.scopes.get")
            .put("replyAddress", reply)
            .put("body", new JsonObject().put("scope_id", scopeId));
    if (token != null) {
      frame.put("headers", new JsonObject().put("Authorization", "Bearer " + token));
    }
    return frame;
  }

  @Test
  void tokensInFrameHeadersDecideWhatABridgeClientMayDo() throws Exception {
    int port = GitDaemon.freePort();
    try (TestNode node =
            TestNode.start(
                dir,
                c -> {
                  c.getJsonObject("bridge").put("tcpPort", port);
                  c.getJsonObject("auth").put("publicKey", TestTokens.publicPem(key));
                  return c;
                });
        BridgeClient client = new BridgeClient(port)) {
      node.request(
          "PUT",
          "/scopes",
          TestNode.scope("tenant-a", "https://127.0.0.1:1/a.git").encode(),
          java.util.Map.of("Authorization", "Bearer " + token("datasource", null)));

      client.send(get("tenant-a", "r1", null));
      assertEquals(BLOCKED, client.receive().getString("message"), "no token");
      client.send(get("tenant-a", "r2", token("client", List.of("tenant-a"))));
      assertEquals(
          BLOCKED, client.receive().getString("message"), "a client may not manage scopes");
      client.send(get("tenant-a", "r3", "garbage"));
      assertEquals(BLOCKED, client.receive().getString("message"), "a bad token");
      client.send(get("tenant-a", "r4", token("datasource", null)));
      assertEquals("tenant-a", client.receiveFor("r4").getJsonObject("body").getString("scope_id"));

      client.send(
          new JsonObject()
              .put("type", "register")
              .put("address", "scopesync.policy-updated.tenant-b")
              .put(
                  "headers",
                  new JsonObject()
                      .put("Authorization", "Bearer " + token("client", List.of("tenant-a")))));
      assertEquals(BLOCKED, client.receive().getString("message"), "another scope's events");
      client.send(
          new JsonObject()
              .put("type", "register")
              .put("address", "scopesync.policy-updated.tenant-a")
              .put(
                  "headers",
                  new JsonObject()
                      .put("Authorization", "Bearer " + token("client", List.of("tenant-a")))));
      client.send(new JsonObject().put("type", "ping"));
      assertEquals(
          "pong", client.receive().getString("type"), "its own scope's events are allowed");
    }
  }
}
