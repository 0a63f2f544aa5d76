package dev.scopesync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.testing.Await;
import dev.scopesync.testing.GitDaemon;
import dev.scopesync.testing.GitRemote;
import dev.scopesync.testing.OpalWsClient;
import dev.scopesync.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OPAL clients over {@code /ws} against a real node, real git (git daemon) and real sockets, with a
 * client that sends and expects the frames of OPAL-CLIENT.md §2.7/§2.8 byte for byte.
 */
class PubSubTest {
  private static final Pattern NOTIFY =
      Pattern.compile(
          "\\{\"request\": \\{\"method\": \"notify\", \"arguments\": "
              + "\\{\"subscription\": \\{\"id\": \"([0-9a-f]{32})\", \"subscriber_id\": \"([0-9a-f]{32})\", \"topic\": \"([^\"]*)\", "
              + "\"notifier_id\": null\\}, \"data\": (.*)\\}, \"call_id\": \"([0-9a-f]{32})\"\\}, \"response\": null\\}");

  @TempDir Path dir;
  private GitDaemon daemon;
  private GitRemote remote;
  private TestNode node;
  private String first;
  private final List<OpalWsClient> clients = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    Path remotes = Files.createDirectories(dir.resolve("remotes"));
    remote = GitRemote.create(remotes, "policies");
    first =
        remote.commit(
            "initial",
            Map.of(
                "rbac/main.rego", "package app.rbac\nallow = true\n",
                "other/data.json", "{\"a\": 1}"));
    daemon = GitDaemon.start(remotes);
    node = TestNode.start(dir.resolve("node"));
  }

  @AfterEach
  void stop() throws Exception {
    clients.forEach(OpalWsClient::close);
    node.close();
    remote.close();
    daemon.close();
  }

  private OpalWsClient connect() {
    OpalWsClient client = OpalWsClient.connect(node.server.httpPort(), "THIS_IS_A_DEV_SECRET");
    clients.add(client);
    return client;
  }

  private static JsonObject scopeWithData(String id, String url) {
    return TestNode.scope(id, url)
        .put(
            "data",
            new JsonObject()
                .put(
                    "entries",
                    new JsonArray()
                        .add(
                            new JsonObject()
                                .put("url", "")
                                .put("topics", new JsonArray().add("policy_data"))
                                .put("dst_path", "/scope_meta")
                                .put("data", new JsonObject()))));
  }

  /** The fields of a notify frame that matched the exact shape of OPAL's. */
  private record Notify(
      String subscriptionId, String subscriberId, String topic, String data, String callId) {
    static Notify parse(String frame) {
      Matcher m = NOTIFY.matcher(frame);
      if (!m.matches()) {
        throw new AssertionError("not a notify frame in OPAL's exact shape: " + frame);
      }
      return new Notify(m.group(1), m.group(2), m.group(3), m.group(4), m.group(5));
    }
  }

  @Test
  void handshakeAnswersPingAndSubscribeExactlyAsOpalServer() throws Exception {
    OpalWsClient client = connect();
    client.send(
        "{\"request\": {\"method\": \"_ping_\", \"arguments\": {}, \"call_id\": \"0f3c9a1e5b7d4c2a9e8f6b5a4c3d2e1f\"}, \"response\": null}");
    client.expectExactly(
        "{\"request\": null, \"response\": {\"result\": \"pong\", \"result_type\": \"str\", \"call_id\": \"0f3c9a1e5b7d4c2a9e8f6b5a4c3d2e1f\"}}");
    client.send(
        "{\"request\": {\"method\": \"subscribe\", \"arguments\": {\"topics\": [\"acme:policy:.\"]}, \"call_id\": \"7b1e2d3c4a5f46e7a8b9c0d1e2f3a4b5\"}, \"response\": null}");
    client.expectExactly(
        "{\"request\": null, \"response\": {\"result\": true, \"result_type\": \"bool\", \"call_id\": \"7b1e2d3c4a5f46e7a8b9c0d1e2f3a4b5\"}}");
    client.send(
        "{\"request\": {\"method\": \"publish\", \"arguments\": {\"topics\": [\"__opal_stats_add\"], \"data\": {}, \"sync\": true, \"notifier_id\": null}, \"call_id\": \"a1\"}, \"response\": null}");
    client.expectExactly(
        "{\"request\": null, \"response\": {\"result\": true, \"result_type\": \"bool\", \"call_id\": \"a1\"}}");
    client.send(
        "{\"request\": {\"method\": \"unsubscribe\", \"arguments\": {\"topics\": [\"acme:policy:.\"]}, \"call_id\": \"b2\"}, \"response\": null}");
    client.expectExactly(
        "{\"request\": null, \"response\": {\"result\": true, \"result_type\": \"bool\", \"call_id\": \"b2\"}}");
  }

  @Test
  void pushNotifiesPolicyTopicAndTheClientFetchesTheDelta() throws Exception {
    OpalWsClient policy = connect();
    policy.handshake("acme:policy:.");
    node.putAndAwaitSync(scopeWithData("acme", daemon.url("policies")));
    // The first sync of a scope announces every directory, with old = new (OPAL's message has no
    // null).
    Notify initial = Notify.parse(policy.next());
    assertEquals("acme:policy:.", initial.topic());
    assertEquals(
        "{\"old_policy_hash\": \""
            + first
            + "\", \"new_policy_hash\": \""
            + first
            + "\", \"changed_directories\": [\".\", \"other\", \"rbac\"]}",
        initial.data());
    policy.answerNotify(initial.callId());

    String second =
        remote.commit("touch rbac", Map.of("rbac/main.rego", "package app.rbac\nallow = false\n"));
    assertEquals(200, node.request("POST", "/scopes/acme/refresh", null).statusCode());
    Notify push = Notify.parse(policy.next());
    assertEquals("acme:policy:.", push.topic());
    assertEquals(
        initial.subscriptionId(),
        push.subscriptionId(),
        "one subscription per topic and connection");
    assertEquals(initial.subscriberId(), push.subscriberId());
    assertEquals(
        "{\"old_policy_hash\": \""
            + first
            + "\", \"new_policy_hash\": \""
            + second
            + "\", \"changed_directories\": [\".\", \"rbac\"]}",
        push.data());

    // What the client does next (OPAL-CLIENT.md §4.1): the delta from the hash it holds.
    HttpResponse<String> delta =
        node.request(
            "GET",
            "/scopes/acme/policy?path=.&base_hash=" + first,
            null,
            Map.of("Content-Type", "text/plain"));
    assertEquals(200, delta.statusCode());
    JsonObject bundle = new JsonObject(delta.body());
    assertEquals(first, bundle.getString("old_hash"));
    assertEquals(second, bundle.getString("hash"));
    assertEquals(
        "rbac/main.rego", bundle.getJsonArray("policy_modules").getJsonObject(0).getString("path"));
    assertEquals(0, policy.queued(), "one notify per change");
  }

  @Test
  void dataUpdateIsNotifiedWithScopePrefixedTopicsAsOpalClientsApplyThem() throws Exception {
    node.putAndAwaitSync(scopeWithData("acme", daemon.url("policies")));
    OpalWsClient data = connect();
    data.handshake("acme:data:policy_data");
    OpalWsClient both = connect();
    both.handshake("acme:data:policy_data", "acme:data:policy_data/users");

    String update =
        "{\"entries\": [{\"url\": \"\", \"topics\": [\"policy_data/users\"], \"dst_path\": \"/users\","
            + " \"data\": {\"alice\": {\"role\": \"admin\"}}}], \"reason\": \"user changed\"}";
    HttpResponse<String> answer = node.request("POST", "/scopes/acme/data/update", update);
    assertEquals(200, answer.statusCode(), answer.body());
    String expectedData =
        "{\"id\": null, \"entries\": [{\"url\": \"\", \"config\": null, \"topics\": "
            + "[\"acme:data:policy_data\", \"acme:data:policy_data/users\"], \"dst_path\": \"/users\", \"save_method\": \"PUT\", "
            + "\"data\": {\"alice\": {\"role\": \"admin\"}}}], \"reason\": \"user changed\", \"callback\": {\"callbacks\": []}}";
    Notify notify = Notify.parse(data.next());
    assertEquals("acme:data:policy_data", notify.topic());
    assertEquals(expectedData, notify.data());
    Notify once = Notify.parse(both.next());
    assertEquals(expectedData, once.data());
    // The same connection subscribed to two matching topics gets the update once.
    both.call("_ping_", new JsonObject());
    assertEquals("pong", both.nextJson().getJsonObject("response").getString("result"));

    // The data config the client loads on connect carries the same scope-prefixed topics (OPAL
    // #779).
    JsonObject config = new JsonObject(node.request("GET", "/scopes/acme/data", null).body());
    assertEquals(
        new JsonArray().add("acme:data:policy_data"),
        config.getJsonArray("entries").getJsonObject(0).getJsonArray("topics"));
  }

  @Test
  void prefixingIsIdempotentForTopicsStoredPrefixed() throws Exception {
    JsonObject scope =
        TestNode.scope("acme", daemon.url("policies"))
            .put(
                "data",
                new JsonObject()
                    .put(
                        "entries",
                        new JsonArray()
                            .add(
                                new JsonObject()
                                    .put("url", "")
                                    .put("topics", new JsonArray().add("acme:data:policy_data")))
                            .add(
                                new JsonObject()
                                    .put("url", "")
                                    .put("topics", new JsonArray().add("data:policy_data/x")))
                            .add(new JsonObject().put("url", ""))));
    node.putAndAwaitSync(scope);
    JsonArray entries =
        new JsonObject(node.request("GET", "/scopes/acme/data", null).body())
            .getJsonArray("entries");
    assertEquals(
        new JsonArray().add("acme:data:policy_data"),
        entries.getJsonObject(0).getJsonArray("topics"));
    assertEquals(
        new JsonArray().add("acme:data:policy_data").add("acme:data:policy_data/x"),
        entries.getJsonObject(1).getJsonArray("topics"));
    assertEquals(
        new JsonArray().add("acme:data:policy_data"),
        entries.getJsonObject(2).getJsonArray("topics"));
  }

  @Test
  void eachOfAClientsTwoSocketsGetsOnlyItsOwnUpdates() throws Exception {
    OpalWsClient policy = connect();
    policy.handshake("acme:policy:.");
    OpalWsClient data = connect();
    data.handshake("acme:data:policy_data");
    node.putAndAwaitSync(scopeWithData("acme", daemon.url("policies")));
    Notify policyNotify = Notify.parse(policy.next());
    assertEquals(
        200,
        node.request(
                "POST",
                "/scopes/acme/data/update",
                "{\"entries\": [{\"url\": \"https://api.example/users\"}]}")
            .statusCode());
    Notify dataNotify = Notify.parse(data.next());
    assertEquals("acme:data:policy_data", dataNotify.topic());
    assertTrue(
        policyNotify.subscriberId().length() == 32
            && !policyNotify.subscriberId().equals(dataNotify.subscriberId()),
        "each connection has its own channel id");
    // Ordering on one socket is the server's write order: a pong after the update means nothing
    // else is coming.
    for (OpalWsClient client : List.of(policy, data)) {
      client.call("_ping_", new JsonObject());
      assertEquals("pong", client.nextJson().getJsonObject("response").getString("result"));
    }
  }

  @Test
  void aClientOfAnotherScopeHearsNothing() throws Exception {
    OpalWsClient acme = connect();
    acme.handshake("acme:policy:.", "acme:data:policy_data");
    OpalWsClient other = connect();
    other.handshake("other:policy:.", "other:data:policy_data", "policy:.", "policy_data");
    node.putAndAwaitSync(scopeWithData("acme", daemon.url("policies")));
    Notify.parse(acme.next());
    assertEquals(
        200,
        node.request("POST", "/scopes/acme/data/update", "{\"entries\": [{\"url\": \"\"}]}")
            .statusCode());
    Notify.parse(acme.next());
    // Both fan-outs ran before acme received them; other's next frame must be its pong.
    other.call("_ping_", new JsonObject());
    assertEquals("pong", other.nextJson().getJsonObject("response").getString("result"));
  }

  @Test
  void unknownMethodsAndMalformedFramesNeverCrashTheServer() throws Exception {
    OpalWsClient client = connect();
    for (String garbage :
        List.of(
            "not json",
            "[]",
            "\"x\"",
            "{}",
            "{\"request\": {\"method\": 5}}",
            "{\"request\": {\"method\": \"subscribe\", \"arguments\": null, \"call_id\": \"c\"}}",
            "{\"request\": {\"method\": \"no_such_method\", \"arguments\": {}, \"call_id\": \"c\"}}",
            "{\"request\": {\"method\": \"_private_\", \"arguments\": {}, \"call_id\": \"c\"}}",
            "{\"request\": null, \"response\": {\"result\": \"None\", \"result_type\": \"str\", \"call_id\": \"zz\"}}")) {
      client.send(garbage);
    }
    client.sendBinary(new byte[] {(byte) 0xff, 0, 1, 2});
    // subscribe with arguments null is answered (the client would otherwise wait forever), with
    // false.
    JsonObject subscribeNull = client.nextJson();
    assertEquals("c", subscribeNull.getJsonObject("response").getString("call_id"));
    assertEquals(Boolean.FALSE, subscribeNull.getJsonObject("response").getValue("result"));
    client.send(
        "{\"request\": {\"method\": \"subscribe\", \"arguments\": {\"topics\": \"acme:policy:.\"}, \"call_id\": \"d\"}, \"response\": null}");
    client.expectExactly(
        "{\"request\": null, \"response\": {\"result\": false, \"result_type\": \"bool\", \"call_id\": \"d\"}}");
    client.handshake("acme:policy:.");
    assertEquals(200, node.request("GET", "/healthz", null).statusCode());
  }

  @Test
  void webSocketPingsAreAnswered() throws Exception {
    OpalWsClient client = connect();
    client.ping("keepalive-1");
    assertEquals("keepalive-1", client.nextPong());
  }

  @Test
  void nonScopedClientsAreServedFromTheDefaultScope() throws Exception {
    OpalWsClient policy = connect();
    policy.handshake("policy:.");
    OpalWsClient data = connect();
    data.handshake("policy_data");
    assertEquals(404, node.request("GET", "/policy?path=.", null).statusCode());
    node.putAndAwaitSync(scopeWithData("default", daemon.url("policies")));
    Notify initial = Notify.parse(policy.next());
    assertEquals("policy:.", initial.topic());
    JsonObject bundle = new JsonObject(node.request("GET", "/policy?path=.", null).body());
    assertEquals(first, bundle.getString("hash"));
    assertNull(bundle.getValue("old_hash"));
    JsonObject config = new JsonObject(node.request("GET", "/data/config", null).body());
    assertTrue(
        config
            .getJsonArray("entries")
            .getJsonObject(0)
            .getJsonArray("topics")
            .contains("policy_data"));

    assertEquals(
        200,
        node.request(
                "POST",
                "/scopes/default/data/update",
                "{\"entries\": [{\"url\": \"\", \"topics\": [\"policy_data/users\"], \"data\": {}}]}")
            .statusCode());
    Notify update = Notify.parse(data.next());
    assertEquals("policy_data", update.topic());
    JsonArray topics =
        new JsonObject(update.data())
            .getJsonArray("entries")
            .getJsonObject(0)
            .getJsonArray("topics");
    assertTrue(
        topics.contains("policy_data") && topics.contains("policy_data/users"), topics.encode());
  }

  @Test
  void aDataUpdateTooLargeForOneMessageIs413AndSendsNothing() throws Exception {
    node.putAndAwaitSync(scopeWithData("acme", daemon.url("policies")));
    OpalWsClient data = connect();
    data.handshake("acme:data:policy_data");
    // The body fits http.maxBodyBytes (1 MiB); the notify it makes, with OPAL's envelope and
    // defaults, does not.
    String big = "x".repeat(1_048_300);
    HttpResponse<String> refused =
        node.request(
            "POST",
            "/scopes/acme/data/update",
            new JsonObject()
                .put(
                    "entries",
                    new JsonArray()
                        .add(
                            new JsonObject()
                                .put("url", "")
                                .put("data", new JsonObject().put("blob", big))))
                .encode());
    assertEquals(413, refused.statusCode(), refused.body());
    assertTrue(new JsonObject(refused.body()).getString("detail").contains("1048576"));
    data.call("_ping_", new JsonObject());
    assertEquals("pong", data.nextJson().getJsonObject("response").getString("result"));
  }

  @Test
  void invalidDataUpdatesAre422AndSendNothing() throws Exception {
    node.putAndAwaitSync(scopeWithData("acme", daemon.url("policies")));
    OpalWsClient data = connect();
    data.handshake("acme:data:policy_data");
    for (String[] bad :
        new String[][] {
          {"{\"entries\": [{}]}", "entries[0].url"},
          {"{\"entries\": [{\"url\": \"\", \"save_method\": \"POST\"}]}", "entries[0].save_method"},
          {
            "{\"entries\": [{\"url\": \"\", \"save_method\": \"PATCH\", \"data\": {}}]}",
            "entries[0].data"
          },
          {"{\"entries\": [{\"url\": \"\", \"data\": 5}]}", "entries[0].data"},
          {"{\"entries\": [], \"reason\": 5}", "reason"},
          {"{\"entries\": [], \"callback\": []}", "callback"}
        }) {
      HttpResponse<String> response = node.request("POST", "/scopes/acme/data/update", bad[0]);
      assertEquals(422, response.statusCode(), bad[0]);
      assertTrue(
          new JsonObject(response.body()).getString("detail").startsWith(bad[1]), response.body());
    }
    data.call("_ping_", new JsonObject());
    assertEquals("pong", data.nextJson().getJsonObject("response").getString("result"));
  }

  @Test
  void shutdownClosesConnectionsWithGoingAway() throws Exception {
    OpalWsClient client = connect();
    client.handshake("acme:policy:.");
    node.server.stop().await();
    assertEquals(1001, client.awaitClose());
  }

  @Test
  void aRestartedServerTakesTheClientBack() throws Exception {
    node.putAndAwaitSync(scopeWithData("acme", daemon.url("policies")));
    int port = node.server.httpPort();
    OpalWsClient before = connect();
    before.handshake("acme:policy:.");
    node.close();
    assertEquals(1001, before.awaitClose());
    node =
        TestNode.start(
            dir.resolve("node"),
            c -> {
              c.getJsonObject("http").put("port", port);
              return c;
            });
    // What the client does after a closed session: connect again, re-subscribe, refetch.
    OpalWsClient after = connect();
    after.handshake("acme:policy:.");
    String second =
        remote.commit("after restart", Map.of("rbac/main.rego", "package app.rbac\nallow = 1\n"));
    assertEquals(200, node.request("POST", "/scopes/acme/refresh", null).statusCode());
    Notify notify;
    do {
      notify = Notify.parse(after.next());
    } while (!notify.data().contains(second));
    assertTrue(notify.data().contains("\"rbac\""));
  }

  @Test
  void disabledPubSubAnswers404() throws Exception {
    node.close();
    node =
        TestNode.start(
            dir.resolve("node2"),
            c -> {
              c.getJsonObject("pubsub").put("enabled", false);
              return c;
            });
    OpalWsClient.UpgradeRefused refused =
        org.junit.jupiter.api.Assertions.assertThrows(
            OpalWsClient.UpgradeRefused.class,
            () -> OpalWsClient.connect(node.server.httpPort(), null));
    assertEquals(404, refused.status());
  }

  @Test
  void upgradesBeyondMaxConnectionsGet503() throws Exception {
    node.close();
    node =
        TestNode.start(
            dir.resolve("node2"),
            c -> {
              c.getJsonObject("pubsub").put("maxConnections", 2);
              return c;
            });
    OpalWsClient one = connect();
    OpalWsClient two = connect();
    one.handshake("a:policy:.");
    two.handshake("b:policy:.");
    OpalWsClient.UpgradeRefused refused =
        org.junit.jupiter.api.Assertions.assertThrows(
            OpalWsClient.UpgradeRefused.class,
            () -> OpalWsClient.connect(node.server.httpPort(), null));
    assertEquals(503, refused.status());
    one.close();
    Await.until(
        () -> {
          try {
            OpalWsClient three = OpalWsClient.connect(node.server.httpPort(), null);
            clients.add(three);
            return true;
          } catch (OpalWsClient.UpgradeRefused e) {
            return false;
          }
        });
    assertTrue(
        node.metric("scopesync_pubsub_rejected_total{reason=\"too_many_connections\"}") >= 1);
  }

  @Test
  void aClientThatStopsReadingIsClosedAtTheBound() throws Exception {
    node.close();
    node =
        TestNode.start(
            dir.resolve("node2"),
            c -> {
              c.getJsonObject("pubsub").put("maxPendingBytes", 1_048_576);
              c.getJsonObject("http").put("maxBodyBytes", 2_000_000);
              return c;
            });
    node.putAndAwaitSync(scopeWithData("acme", daemon.url("policies")));
    OpalWsClient stuck = connect();
    stuck.handshake("acme:data:policy_data");
    OpalWsClient healthy = connect();
    healthy.handshake("acme:data:policy_data");
    stuck.stopReading();
    String update =
        new JsonObject()
            .put(
                "entries",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("url", "")
                            .put("data", new JsonObject().put("blob", "y".repeat(900_000)))))
            .encode();
    int sent = 0;
    // Kernel buffers take some megabytes first; then the server's own bound closes the socket.
    while (node.metric("scopesync_pubsub_connections") > 1 && sent < 400) {
      assertEquals(200, node.request("POST", "/scopes/acme/data/update", update).statusCode());
      Notify.parse(healthy.next());
      sent++;
    }
    assertEquals(
        1,
        node.metric("scopesync_pubsub_connections"),
        "the stuck client was closed after " + sent + " updates");
    assertEquals(1, node.metric("scopesync_pubsub_rejected_total{reason=\"slow_client\"}"));
    healthy.call("_ping_", new JsonObject());
    assertEquals("pong", healthy.nextJson().getJsonObject("response").getString("result"));
  }

  @Test
  void connectionsAreCountedAndDroppedOnClose() throws Exception {
    OpalWsClient a = connect();
    OpalWsClient b = connect();
    a.handshake("x:policy:.");
    b.handshake("x:policy:.");
    assertEquals(2, node.metric("scopesync_pubsub_connections"));
    a.send(
        "{\"request\": {\"method\": \"_ping_\", \"arguments\": {}, \"call_id\": \"z\"}, \"response\": null}");
    a.next();
    a.close();
    b.close();
    Await.until(() -> node.metric("scopesync_pubsub_connections") == 0);
    assertFalse(
        node.request("GET", "/metrics", null).body().contains("scopesync_pubsub_connections 2"));
  }
}
