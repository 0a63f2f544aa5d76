package dev.scopesync.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The scope routes over real HTTP: answers, statuses, and bad input that changes nothing. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpApiTest {
  private TestNode node;
  private String existingScope;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    node =
        TestNode.start(
            dir,
            c -> {
              c.getJsonObject("http").put("maxBodyBytes", 4096);
              c.getJsonObject("git").put("allowedSchemes", new JsonArray().add("https").add("git"));
              return c;
            });
    // A scope whose remote does not exist: its sync fails, the scope itself is valid.
    JsonObject scope = TestNode.scope("existing", "https://127.0.0.1:1/nothing.git");
    assertEquals(201, node.put(scope).statusCode());
    existingScope = node.request("GET", "/scopes/existing", null).body();
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
  }

  static Stream<Arguments> badRequests() {
    String ok = "{\"scope_id\":\"x\",\"policy\":{\"url\":\"https://h/r.git\"}}";
    return Stream.of(
        Arguments.of("PUT", "/scopes", "{not json", 400, "malformed JSON"),
        Arguments.of("PUT", "/scopes", "", 400, "body"),
        Arguments.of("PUT", "/scopes", "[1,2]", 422, "scope"),
        Arguments.of("PUT", "/scopes", "\"text\"", 422, "scope"),
        Arguments.of(
            "PUT", "/scopes", "{\"scope_id\":\"" + "x".repeat(5000) + "\"}", 413, "maxBodyBytes"),
        Arguments.of(
            "PUT", "/scopes", "{\"policy\":{\"url\":\"https://h/r.git\"}}", 422, "scope_id"),
        Arguments.of(
            "PUT",
            "/scopes",
            "{\"scope_id\":\"existing\",\"policy\":{\"url\":\"file:///etc\"}}",
            422,
            "policy.url"),
        Arguments.of(
            "PUT",
            "/scopes",
            "{\"scope_id\":\"existing\",\"policy\":{\"url\":\"http://h/r.git\"}}",
            422,
            "policy.url"),
        Arguments.of(
            "PUT",
            "/scopes",
            "{\"scope_id\":\"existing\",\"policy\":{\"url\":\"ext::sh -c id\"}}",
            422,
            "policy.url"),
        Arguments.of(
            "PUT",
            "/scopes",
            "{\"scope_id\":\"existing\",\"policy\":{\"url\":\"https://h/r.git\",\"branch\":\"x..y\"}}",
            422,
            "policy.branch"),
        Arguments.of(
            "PUT",
            "/scopes",
            "{\"scope_id\":\"existing\",\"policy\":{\"url\":\"https://h/r.git\",\"directories\":[\"a/../../b\"]}}",
            422,
            "policy.directories[0]"),
        Arguments.of(
            "PUT",
            "/scopes",
            "{\"scope_id\":\"existing\",\"policy\":{\"url\":\"https://h/r.git\",\"auth\":{\"auth_type\":\"magic\"}}}",
            422,
            "policy.auth.auth_type"),
        Arguments.of(
            "PUT",
            "/scopes",
            "{\"scope_id\":\"existing\",\"policy\":{\"url\":\"https://h/r.git\",\"poll_updates\":2}}",
            422,
            "policy.poll_updates"),
        Arguments.of("PUT", "/scopes?force_fetch=maybe", ok, 422, "force_fetch"),
        Arguments.of("GET", "/scopes/nope", null, 404, "No such scope: nope"),
        Arguments.of("GET", "/scopes/" + "y".repeat(300), null, 422, "scope_id"),
        Arguments.of("GET", "/scopes/a%2Fb", null, 422, "scope_id"),
        Arguments.of("POST", "/scopes/nope/refresh", null, 404, "No such scope: nope"),
        Arguments.of("POST", "/scopes/existing/refresh?hinted_hash=zzz", null, 422, "hinted_hash"),
        Arguments.of("PATCH", "/scopes", "{}", 405, "Method Not Allowed"),
        Arguments.of("GET", "/nowhere", null, 404, "Not Found"),
        Arguments.of(
            "PUT",
            "/scopes",
            "{\"scope_id\":\"existing\",\"policy\":{\"url\":\"https://user:pw@h/r.git\"}}",
            422,
            "credentials"),
        Arguments.of(
            "PUT",
            "/scopes",
            "{\"scope_id\":\"existing\",\"policy\":{\"url\":\"https://h/r.git\",\"directories\":[\"/etc\"]}}",
            422,
            "policy.directories[0]"),
        Arguments.of(
            "PUT",
            "/scopes",
            "{\"scope_id\":\"existing\",\"policy\":{\"url\":\"https://h/r.git\",\"directories\":[]}}",
            422,
            "policy.directories"),
        Arguments.of(
            "PUT",
            "/scopes",
            "{\"scope_id\":\"existing\",\"policy\":{\"url\":\"https://h/r.git\",\"extensions\":\".rego\"}}",
            422,
            "policy.extensions"),
        Arguments.of(
            "PUT",
            "/scopes",
            "{\"scope_id\":\"existing\",\"policy\":{\"url\":\"https://h/r.git\",\"bundle_ignore\":[[1]]}}",
            422,
            "policy.bundle_ignore[0]"),
        Arguments.of(
            "PUT",
            "/scopes",
            "{\"scope_id\":\"existing\",\"policy\":{\"url\":\"https://h/r.git\",\"manifest\":\"/abs\"}}",
            422,
            "policy.manifest"),
        Arguments.of(
            "PUT",
            "/scopes",
            "{\"scope_id\":\"existing\",\"policy\":{\"url\":\"https://h/r.git\",\"branch\":\"-bad\\u0000\"}}",
            422,
            "policy.branch"),
        Arguments.of(
            "PUT",
            "/scopes",
            "{\"scope_id\":\"existing\",\"policy\":{\"url\":\"https://h/r.git\",\"auth\":{\"auth_type\":\"github_token\",\"token\":\"\"}}}",
            422,
            "policy.auth.token"),
        Arguments.of(
            "PUT",
            "/scopes",
            "{\"scope_id\":\"existing\",\"policy\":{\"url\":\"https://h/r.git\",\"auth\":{\"auth_type\":\"ssh\",\"username\":\"git\",\"private_key\":\"-----BEGIN RSA PRIVATE KEY-----\\nAAAA\\n-----END RSA PRIVATE KEY-----\\n\"}}}",
            422,
            "policy.auth.private_key"),
        Arguments.of(
            "PUT",
            "/scopes",
            "{\"scope_id\":\"existing\",\"policy\":{\"url\":\"https://h/r.git\",\"auth\":\"none\"}}",
            422,
            "policy.auth"),
        Arguments.of(
            "PUT",
            "/scopes",
            "{\"scope_id\":\"existing\",\"policy\":{\"url\":\"https://h/r.git\"},\"data\":7}",
            422,
            "data"),
        Arguments.of(
            "PUT",
            "/scopes",
            "{\"scope_id\":[\"a\"],\"policy\":{\"url\":\"https://h/r.git\"}}",
            422,
            "scope_id"),
        Arguments.of(
            "PUT",
            "/scopes",
            "{\"scope_id\":\"existing\",\"policy\":{\"url\":\"svn://h/r\"}}",
            422,
            "policy.url"),
        Arguments.of(
            "PUT",
            "/scopes",
            "{\"scope_id\":\"existing\",\"policy\":{\"url\":\"git@h:r.git\"}}",
            422,
            "scheme 'ssh'"),
        Arguments.of("POST", "/scopes/existing/data/update", "{\"entries\":5}", 422, "entries"),
        Arguments.of(
            "POST",
            "/scopes/existing/data/update",
            "{\"entries\":[{\"topics\":[1]}]}",
            422,
            "entries[0].topics"),
        Arguments.of("POST", "/scopes/existing/data/update", "[]", 422, "body"),
        Arguments.of("POST", "/scopes/existing/data/update", "{bad", 400, "malformed JSON"),
        Arguments.of(
            "POST", "/scopes/nope/data/update", "{\"entries\":[]}", 404, "No such scope: nope"),
        Arguments.of("GET", "/scopes/nope/data", null, 404, "No such scope: nope"),
        Arguments.of("GET", "/scopes/existing/policy?base_hash=xyz", null, 422, "base_hash"),
        Arguments.of("GET", "/scopes/nope/policy", null, 404, "No such scope: nope"),
        Arguments.of("GET", "/scopes/nope/bundle.tar.gz", null, 404, "No such scope: nope"),
        Arguments.of("POST", "/webhook", "{bad", 400, "malformed JSON"),
        Arguments.of("POST", "/webhook", "{\"ref\":\"refs/heads/main\"}", 400, "repo"),
        Arguments.of("POST", "/webhook", "", 400, "body"),
        Arguments.of("DELETE", "/scopes/a%00b", null, 422, "scope_id"),
        Arguments.of("PUT", "/scopes/existing", "{}", 405, "Method Not Allowed"));
  }

  @ParameterizedTest(name = "{0} {1} -> {3}")
  @MethodSource("badRequests")
  void badRequestsGetAPreciseAnswerAndChangeNothing(
      String method, String path, String body, int status, String detailMentions) throws Exception {
    List<Object> before = scopes();
    HttpResponse<String> response = node.request(method, path, body);
    assertEquals(status, response.statusCode(), response.body());
    String detail = new JsonObject(response.body()).getString("detail");
    assertTrue(
        detail.contains(detailMentions),
        "detail '" + detail + "' should mention " + detailMentions);
    assertEquals(before, scopes(), "state changed");
    assertEquals(existingScope, node.request("GET", "/scopes/existing", null).body());
    assertEquals(200, node.request("GET", "/ready", null).statusCode());
  }

  @Test
  void putGetListAndDeleteAnswerAsOpalDoes() throws Exception {
    JsonObject scope = TestNode.scope("crud", "https://127.0.0.1:1/other.git");
    scope
        .getJsonObject("policy")
        .put("auth", new JsonObject().put("auth_type", "github_token").put("token", "s3cr3t"));
    assertEquals(201, node.put(scope).statusCode());
    HttpResponse<String> got = node.request("GET", "/scopes/crud", null);
    assertEquals(200, got.statusCode());
    assertEquals("application/json", got.headers().firstValue("content-type").orElse(""));
    JsonObject body = new JsonObject(got.body());
    assertEquals("crud", body.getString("scope_id"));
    assertEquals(
        new JsonObject().put("auth_type", "github_token"),
        body.getJsonObject("policy").getJsonObject("auth"));
    assertEquals("main", body.getJsonObject("policy").getString("branch"));
    assertEquals(
        new JsonArray().add("."), body.getJsonObject("policy").getJsonArray("directories"));
    assertFalse(node.request("GET", "/scopes", null).body().contains("s3cr3t"));
    assertTrue(
        new JsonArray(node.request("GET", "/scopes", null).body())
            .stream().anyMatch(s -> ((JsonObject) s).getString("scope_id").equals("crud")));
    assertEquals(200, node.request("POST", "/scopes/crud/refresh", null).statusCode());
    assertEquals(200, node.request("POST", "/scopes/refresh", null).statusCode());
    assertEquals(204, node.delete("crud").statusCode());
    assertEquals(204, node.delete("crud").statusCode(), "deleting what is gone is still 204");
    assertEquals(404, node.request("GET", "/scopes/crud", null).statusCode());
  }

  @Test
  void healthReadyAndStatsAnswer() throws Exception {
    assertEquals(200, node.request("GET", "/healthz", null).statusCode());
    assertEquals(200, node.request("GET", "/ready", null).statusCode());
    JsonObject stats = node.stats();
    for (String field : dev.scopesync.bus.StatsFields.ALL) {
      assertTrue(stats.getValue(field) instanceof Number, field + " in " + stats);
    }
    assertEquals(1, stats.getInteger("cluster_nodes"));
    assertTrue(stats.getLong("rss_kb") > 0);
    assertTrue(stats.getInteger("open_fds") > 0);
  }

  private List<Object> scopes() throws Exception {
    return new JsonArray(node.request("GET", "/scopes", null).body()).getList();
  }
}
