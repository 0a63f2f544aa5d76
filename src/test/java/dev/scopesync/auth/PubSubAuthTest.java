package dev.scopesync.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.testing.OpalWsClient;
import dev.scopesync.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /ws} with {@code auth.publicKey} set: OPAL's upgrade check, then allowed_scopes and
 * permitted_topics on subscribe.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PubSubAuthTest {
  private static final int REJECT_DELAY_MILLIS = 400;
  private final KeyPair key = TestTokens.rsa();
  private final KeyPair otherKey = TestTokens.rsa();
  private TestNode node;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    node =
        TestNode.start(
            dir,
            c -> {
              c.getJsonObject("auth").put("publicKey", TestTokens.publicPem(key));
              c.getJsonObject("pubsub").put("rejectDelayMillis", REJECT_DELAY_MILLIS);
              return c;
            });
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
  }

  private static String token(
      KeyPair pair, List<String> allowedScopes, List<String> permittedTopics) {
    long now = System.currentTimeMillis() / 1000;
    JsonObject payload =
        new JsonObject()
            .put("peer_type", "client")
            .put("sub", UUID.randomUUID().toString().replace("-", ""))
            .put("aud", AccessPolicy.DEFAULT_AUDIENCE)
            .put("iss", AccessPolicy.DEFAULT_ISSUER)
            .put("iat", now - 10)
            .put("exp", now + 3600);
    if (allowedScopes != null) {
      payload.put("allowed_scopes", new JsonArray(allowedScopes));
    }
    if (permittedTopics != null) {
      payload.put("permitted_topics", new JsonArray(permittedTopics));
    }
    return TestTokens.rs256(pair.getPrivate(), TestTokens.header("RS256"), payload);
  }

  @Test
  void badTokensGetAnEmpty403OnlyAfterTheRejectDelay() {
    for (String bad :
        new String[] {null, "THIS_IS_A_DEV_SECRET", token(otherKey, List.of("acme"), null)}) {
      long started = System.nanoTime();
      OpalWsClient.UpgradeRefused refused =
          assertThrows(
              OpalWsClient.UpgradeRefused.class,
              () -> OpalWsClient.connect(node.server.httpPort(), bad));
      long tookMillis = (System.nanoTime() - started) / 1_000_000;
      assertEquals(403, refused.status());
      assertEquals("", refused.body());
      // A lower bound, not a timing target: the answer must not come before the delay.
      assertTrue(tookMillis >= REJECT_DELAY_MILLIS, "403 came after " + tookMillis + " ms");
    }
  }

  @Test
  void subscribingOutsideAllowedScopesAnswersFalseAndSubscribesNothing() throws Exception {
    try (OpalWsClient client =
        OpalWsClient.connect(node.server.httpPort(), token(key, List.of("acme"), null))) {
      client.handshake("acme:policy:.", "acme:data:policy_data", "policy:.");
      String call =
          client.call(
              "subscribe",
              new JsonObject()
                  .put("topics", new JsonArray().add("acme:policy:x").add("other:policy:.")));
      client.expectExactly(
          "{\"request\": null, \"response\": {\"result\": false, \"result_type\": \"bool\", \"call_id\": \""
              + call
              + "\"}}");
      // Nothing of that subscribe was kept: a change of other's policy reaches no one.
      node.vertx
          .eventBus()
          .publish(
              "scopesync.policy-updated",
              new JsonObject()
                  .put("scope_id", "other")
                  .put("old_policy_hash", "a")
                  .put("new_policy_hash", "b")
                  .put("changed_directories", new JsonArray().add(".")));
      node.vertx
          .eventBus()
          .publish(
              "scopesync.policy-updated",
              new JsonObject()
                  .put("scope_id", "acme")
                  .put("old_policy_hash", "a")
                  .put("new_policy_hash", "b")
                  .put("changed_directories", new JsonArray().add("x")));
      client.call("_ping_", new JsonObject());
      assertEquals("pong", client.nextJson().getJsonObject("response").getString("result"));
    }
    assertTrue(
        node.request("GET", "/metrics", null)
            .body()
            .contains("scopesync_pubsub_rejected_total{reason=\"forbidden_topics\"}"));
  }

  @Test
  void aTokenWithoutAllowedScopesReachesNoScopeButTheUnscopedTopics() {
    try (OpalWsClient client =
        OpalWsClient.connect(node.server.httpPort(), token(key, null, null))) {
      client.handshake("policy:.", "policy_data");
      String call =
          client.call(
              "subscribe", new JsonObject().put("topics", new JsonArray().add("acme:policy:.")));
      client.expectExactly(
          "{\"request\": null, \"response\": {\"result\": false, \"result_type\": \"bool\", \"call_id\": \""
              + call
              + "\"}}");
    }
  }

  @Test
  void permittedTopicsRestrictSubscribe() {
    try (OpalWsClient client =
        OpalWsClient.connect(
            node.server.httpPort(), token(key, List.of("acme"), List.of("acme:policy:.")))) {
      client.handshake("acme:policy:.");
      String call =
          client.call(
              "subscribe",
              new JsonObject().put("topics", new JsonArray().add("acme:data:policy_data")));
      client.expectExactly(
          "{\"request\": null, \"response\": {\"result\": false, \"result_type\": \"bool\", \"call_id\": \""
              + call
              + "\"}}");
    }
  }
}
