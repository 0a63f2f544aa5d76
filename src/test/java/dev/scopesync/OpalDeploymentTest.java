package dev.scopesync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.testing.Await;
import dev.scopesync.testing.GitRemote;
import dev.scopesync.testing.OpalWsClient;
import dev.scopesync.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OPAL's example deployments' server environments, taken as written (only hosts, ports and paths
 * local), against a real server over HTTP (DESIGN §17): the probes, OPAL's defaults that clients
 * call, the load limiter, CORS, a data-only server publishing to non-scoped clients, the default
 * scope following {@code OPAL_POLICY_REPO_*} across restarts, {@code /policy?path=}, statistics and
 * OPAL's webhook parameters.
 */
class OpalDeploymentTest {
  /** The data config of OPAL's docker-compose-example.yml. */
  private static final String EXAMPLE_DATA_SOURCES =
      "{\"config\":{\"entries\":[{\"url\":\"http://opal_server:7002/policy-data\","
          + "\"topics\":[\"policy_data\"],\"dst_path\":\"/static\"}]}}";

  @TempDir Path dir;
  private TestNode node;
  private final List<OpalWsClient> clients = new java.util.ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    clients.forEach(OpalWsClient::close);
    if (node != null) {
      node.close();
    }
  }

  private TestNode start(Map<String, String> env) throws Exception {
    node = TestNode.startWithEnvironment(dir.resolve("node"), env);
    return node;
  }

  private OpalWsClient connect() {
    OpalWsClient client = OpalWsClient.connect(node.server.httpPort(), null);
    clients.add(client);
    return client;
  }

  @Test
  void probesAndTheRoutesOpalClientsCallByDefaultAnswerAsOpal() throws Exception {
    start(Map.of("OPAL_DATA_CONFIG_SOURCES", EXAMPLE_DATA_SOURCES, "UVICORN_NUM_WORKERS", "4"));
    for (String probe : List.of("/", "/healthcheck")) {
      HttpResponse<String> ok = node.request("GET", probe, null);
      assertEquals(200, ok.statusCode(), probe);
      assertEquals(new JsonObject().put("status", "ok"), new JsonObject(ok.body()));
    }
    assertEquals("{}", node.request("GET", "/policy-data", null).body());
    HttpResponse<String> report =
        node.request(
            "POST",
            "/data/callback_report",
            "{\"update_id\": \"u1\", \"reports\": [{\"entry\": {\"url\": \"\"}, \"fetched\": true, \"saved\": true}]}");
    assertEquals(200, report.statusCode(), report.body());
    assertEquals("{}", report.body());
    assertEquals(422, node.request("POST", "/data/callback_report", "[1]").statusCode());
    assertEquals(
        200,
        node.request("GET", "/loadlimit", null).statusCode(),
        "no limit configured: always 200");
  }

  @Test
  void theLoadLimitLetsClientsInAtTheConfiguredRate() throws Exception {
    start(Map.of("OPAL_CLIENT_LOAD_LIMIT_NOTATION", "2/minute"));
    assertEquals(
        200,
        node.request("GET", "/loadlimit", null, Map.of("Content-Type", "text/plain")).statusCode());
    assertEquals(200, node.request("GET", "/loadlimit", null).statusCode());
    HttpResponse<String> limited = node.request("GET", "/loadlimit", null);
    assertEquals(429, limited.statusCode());
    assertTrue(
        new JsonObject(limited.body()).getString("detail").contains("2/minute"), limited.body());
    long retry = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
    assertTrue(retry >= 1 && retry <= 60, "Retry-After " + retry);
  }

  @Test
  void corsPreflightsAreAnsweredInAnOpalDeploymentAndNotOtherwise() throws Exception {
    start(Map.of("OPAL_POLICY_REFRESH_INTERVAL", "0"));
    Map<String, String> preflight =
        Map.of(
            "Origin",
            "https://app.example.com",
            "Access-Control-Request-Method",
            "PUT",
            "Access-Control-Request-Headers",
            "authorization,content-type");
    HttpResponse<String> answer = node.request("OPTIONS", "/scopes", null, preflight);
    assertEquals(204, answer.statusCode());
    assertEquals("*", answer.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
    assertTrue(
        answer.headers().firstValue("Access-Control-Allow-Methods").orElse("").contains("PUT"));
    assertEquals(
        "authorization,content-type",
        answer.headers().firstValue("Access-Control-Allow-Headers").orElse(null));
    HttpResponse<String> simple =
        node.request("GET", "/healthcheck", null, Map.of("Origin", "https://app.example.com"));
    assertEquals("*", simple.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
    node.close();
    node = TestNode.start(dir.resolve("plain"));
    assertEquals(
        405,
        node.request("OPTIONS", "/scopes", null, preflight).statusCode(),
        "no CORS unless configured");
  }

  @Test
  void namedOriginsOnlyGetCors() throws Exception {
    start(Map.of("OPAL_ALLOWED_ORIGINS", "https://ok.example.com"));
    Map<String, String> preflight = Map.of("Access-Control-Request-Method", "GET");
    HttpResponse<String> ok =
        node.request(
            "OPTIONS", "/healthcheck", null, merged(preflight, "Origin", "https://ok.example.com"));
    assertEquals(204, ok.statusCode());
    assertEquals(
        "https://ok.example.com",
        ok.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
    HttpResponse<String> other =
        node.request(
            "OPTIONS",
            "/healthcheck",
            null,
            merged(preflight, "Origin", "https://evil.example.com"));
    assertEquals(403, other.statusCode());
    assertTrue(other.body().startsWith("{\"detail\""), other.body());
  }

  @Test
  void aDataOnlyServerPublishesToNonScopedClientsWithoutADefaultScope() throws Exception {
    start(Map.of("OPAL_DATA_CONFIG_SOURCES", EXAMPLE_DATA_SOURCES));
    JsonObject config = new JsonObject(node.request("GET", "/data/config", null).body());
    JsonObject entry = config.getJsonArray("entries").getJsonObject(0);
    assertEquals("http://opal_server:7002/policy-data", entry.getString("url"));
    assertTrue(entry.getJsonArray("topics").contains("policy_data"), entry.encode());
    assertEquals(
        404, node.request("GET", "/scopes/default", null).statusCode(), "no default scope");

    OpalWsClient client = connect();
    client.handshake("policy_data");
    HttpResponse<String> published =
        node.request(
            "POST",
            "/data/config",
            "{\"entries\": [{\"url\": \"\", \"topics\": [\"policy_data/users\"], \"dst_path\": \"/users\", \"data\": {\"a\": 1}}],"
                + " \"reason\": \"test\"}");
    assertEquals(200, published.statusCode(), published.body());
    assertEquals(new JsonObject().put("status", "ok"), new JsonObject(published.body()));
    JsonObject notify = client.nextJson().getJsonObject("request");
    assertEquals("notify", notify.getString("method"));
    JsonObject subscription = notify.getJsonObject("arguments").getJsonObject("subscription");
    assertEquals("policy_data", subscription.getString("topic"));
    JsonObject update = notify.getJsonObject("arguments").getJsonObject("data");
    assertEquals("/users", update.getJsonArray("entries").getJsonObject(0).getString("dst_path"));

    HttpResponse<String> bad =
        node.request("POST", "/data/config", "{\"entries\": [{\"topics\": [1]}]}");
    assertEquals(422, bad.statusCode());
    assertTrue(
        new JsonObject(bad.body()).getString("detail").startsWith("entries[0].topics"), bad.body());

    // OPAL's fallback: a scope that does not exist gets DATA_CONFIG_SOURCES, topics as its clients
    // subscribe them.
    JsonObject fallback = new JsonObject(node.request("GET", "/scopes/tenant-x/data", null).body());
    assertTrue(
        fallback
            .getJsonArray("entries")
            .getJsonObject(0)
            .getJsonArray("topics")
            .contains("tenant-x:data:policy_data"),
        fallback.encode());
  }

  @Test
  void anExternalDataSourceIsARedirectCarryingTheCallersToken() throws Exception {
    start(
        Map.of(
            "OPAL_DATA_CONFIG_SOURCES",
            "{\"external_source_url\": \"https://data.example.com/config?tenant=a\"}"));
    HttpResponse<String> plain = node.request("GET", "/data/config", null);
    assertEquals(307, plain.statusCode());
    assertEquals(
        "https://data.example.com/config?tenant=a",
        plain.headers().firstValue("Location").orElse(null));
    HttpResponse<String> withToken =
        node.request("GET", "/data/config", null, Map.of("Authorization", "Bearer abc.def"));
    assertEquals(
        "https://data.example.com/config?tenant=a&token=abc.def",
        withToken.headers().firstValue("Location").orElse(null));
    assertEquals(
        404,
        node.request("GET", "/scopes/x/data", null).statusCode(),
        "no static config to fall back to");
  }

  @Test
  void theDefaultScopeFollowsTheEnvironmentAcrossRestartsAndTheOldCloneIsPurged() throws Exception {
    GitRemote first = GitRemote.create(dir.resolve("remotes"), "first");
    String firstCommit =
        first.commit("main", "a", Map.of("rbac/a.rego", "package a\n", "b/b.rego", "package b\n"));
    GitRemote second = GitRemote.create(dir.resolve("remotes"), "second");
    String secondCommit = second.commit("main", "b", Map.of("c.rego", "package c\n"));
    Map<String, String> env =
        new HashMap<>(
            Map.of(
                "OPAL_POLICY_REPO_URL",
                first.fileUrl(),
                "OPAL_POLICY_REPO_MAIN_BRANCH",
                "main",
                "OPAL_DATA_CONFIG_SOURCES",
                EXAMPLE_DATA_SOURCES));
    start(env);
    Await.until(() -> status("/policy") == 200);
    JsonObject bundle = new JsonObject(node.request("GET", "/policy", null).body());
    assertEquals(firstCommit, bundle.getString("hash"));
    JsonObject scope = new JsonObject(node.request("GET", "/scopes/default", null).body());
    assertEquals(
        "/static",
        scope.getJsonObject("data").getJsonArray("entries").getJsonObject(0).getString("dst_path"));

    // OPAL's ?path= narrows the bundle; an unknown path is 404 as in OPAL.
    JsonObject narrowed = new JsonObject(node.request("GET", "/policy?path=rbac", null).body());
    assertEquals(List.of("rbac/a.rego"), narrowed.getJsonArray("manifest").getList());
    assertEquals(narrowed, new JsonObject(node.request("GET", "/policy?path=/rbac/", null).body()));
    HttpResponse<String> unknown = node.request("GET", "/policy?path=nope", null);
    assertEquals(404, unknown.statusCode());
    assertEquals(
        "requested path nope was not found in the policy repo!",
        new JsonObject(unknown.body()).getString("detail"));
    assertEquals(422, node.request("GET", "/policy?path=../x", null).statusCode());
    assertEquals(
        2,
        new JsonObject(node.request("GET", "/policy?path=rbac&path=b", null).body())
            .getJsonArray("manifest")
            .size());

    Path firstClone = onlyClone();
    node.close();
    env.put("OPAL_POLICY_REPO_URL", second.fileUrl());
    start(env);
    Await.until(() -> secondCommit.equals(hashOf("/policy")));
    Await.until(() -> !Files.exists(firstClone));
    assertEquals(1, node.stats().getInteger("clone_dirs"));
    JsonObject moved = new JsonObject(node.request("GET", "/scopes/default", null).body());
    assertEquals(second.fileUrl(), moved.getJsonObject("policy").getString("url"));
    first.close();
    second.close();
  }

  @Test
  void statisticsAnswer501UntilTurnedOnThenShowThisNodesClients() throws Exception {
    start(Map.of("OPAL_STATISTICS_ENABLED", "false"));
    assertEquals(501, node.request("GET", "/statistics", null).statusCode());
    assertEquals(501, node.request("GET", "/stats", null).statusCode());
    node.close();
    start(Map.of("OPAL_STATISTICS_ENABLED", "true"));
    OpalWsClient client = connect();
    client.handshake("policy:.");
    client.call(
        "publish",
        new JsonObject()
            .put("topics", new JsonArray().add("__opal_stats_add"))
            .put(
                "data",
                new JsonObject()
                    .put("topics", new JsonArray().add("policy:."))
                    .put("client_id", "client-7")
                    .put("rpc_id", "r")));
    assertEquals(true, client.nextJson().getJsonObject("response").getValue("result"));
    JsonObject stats = new JsonObject(node.request("GET", "/statistics", null).body());
    JsonArray channels = stats.getJsonObject("clients").getJsonArray("client-7");
    assertEquals(List.of("policy:."), channels.getJsonObject(0).getJsonArray("topics").getList());
    assertEquals(1, stats.getJsonArray("servers").size());
    JsonObject brief = new JsonObject(node.request("GET", "/stats", null).body());
    assertEquals(1, brief.getInteger("client_count"));
    assertTrue(brief.containsKey("uptime") && brief.containsKey("version"));
  }

  @Test
  void opalsWebhookParamsDecideTheSecretAndTheEvent() throws Exception {
    GitRemote remote = GitRemote.create(dir.resolve("remotes"), "hooked");
    remote.commit("main", "a", Map.of("a.rego", "package a\n"));
    start(
        Map.of(
            "OPAL_POLICY_REPO_URL",
            remote.fileUrl(),
            "OPAL_POLICY_REPO_MAIN_BRANCH",
            "main",
            "OPAL_POLICY_REPO_WEBHOOK_SECRET",
            "s3cret",
            "OPAL_POLICY_REPO_WEBHOOK_PARAMS",
            "{\"secret_header_name\": \"x-gitlab-token\", \"secret_type\": \"token\","
                + " \"secret_parsing_regex\": \"(.*)\", \"event_header_name\": \"X-Gitlab-Event\", \"push_event_value\": \"Push Hook\"}"));
    Await.until(() -> status("/policy") == 200);
    String payload =
        new JsonObject()
            .put("ref", "refs/heads/main")
            .put("repository", new JsonObject().put("url", remote.fileUrl()))
            .encode();
    Map<String, String> push = Map.of("X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", "s3cret");
    HttpResponse<String> ok = node.request("POST", "/webhook", payload, push);
    assertEquals(200, ok.statusCode(), ok.body());
    assertEquals(List.of("default"), new JsonObject(ok.body()).getJsonArray("scopes").getList());
    assertEquals(
        401,
        node.request("POST", "/webhook", payload, merged(push, "X-Gitlab-Token", "wrong"))
            .statusCode());
    // GitHub's signature header means nothing under these parameters.
    assertEquals(
        401,
        node.request(
                "POST",
                "/webhook",
                payload,
                Map.of(
                    "X-Gitlab-Event",
                    "Push Hook",
                    "X-Hub-Signature-256",
                    "sha256=" + "0".repeat(64)))
            .statusCode());
    JsonObject ignored =
        new JsonObject(
            node.request(
                    "POST", "/webhook", payload, merged(push, "X-Gitlab-Event", "Tag Push Hook"))
                .body());
    assertEquals("ignored", ignored.getString("status"));
    assertFalse(ignored.containsKey("scopes") && !ignored.getJsonArray("scopes").isEmpty());
    remote.close();
  }

  private int status(String path) {
    try {
      return node.request("GET", path, null).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  private String hashOf(String path) {
    try {
      HttpResponse<String> answer = node.request("GET", path, null);
      return answer.statusCode() == 200 ? new JsonObject(answer.body()).getString("hash") : null;
    } catch (Exception e) {
      return null;
    }
  }

  private Path onlyClone() throws Exception {
    try (var clones = Files.list(node.gitSources())) {
      List<Path> all = clones.toList();
      assertEquals(1, all.size(), all.toString());
      return all.get(0);
    }
  }

  private static Map<String, String> merged(Map<String, String> base, String name, String value) {
    Map<String, String> out = new HashMap<>(base);
    out.put(name, value);
    return out;
  }
}
