package dev.scopesync.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.bus.Addresses;
import dev.scopesync.testing.Await;
import dev.scopesync.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** OPAL's JWT rules over real HTTP, with tokens signed by a key pair made in the test. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpAuthTest {
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
              return c;
            });
    assertEquals(
        201,
        node.request(
                "PUT",
                "/scopes",
                TestNode.scope("tenant-a", "https://127.0.0.1:1/a.git").encode(),
                bearer(token("datasource", null, null)))
            .statusCode());
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
  }

  private String token(String peerType, List<String> allowedScopes, List<String> permittedTopics) {
    return sign(key, peerType, allowedScopes, permittedTopics, 3600);
  }

  private static String sign(
      KeyPair pair, String peerType, List<String> scopes, List<String> topics, long ttl) {
    long now = System.currentTimeMillis() / 1000;
    JsonObject payload =
        new JsonObject()
            .put("peer_type", peerType)
            .put("sub", UUID.randomUUID().toString().replace("-", ""))
            .put("aud", AccessPolicy.DEFAULT_AUDIENCE)
            .put("iss", AccessPolicy.DEFAULT_ISSUER)
            .put("iat", now - 10)
            .put("exp", now + ttl);
    if (scopes != null) {
      payload.put("allowed_scopes", new JsonArray(scopes));
    }
    if (topics != null) {
      payload.put("permitted_topics", new JsonArray(topics));
    }
    return TestTokens.rs256(pair.getPrivate(), TestTokens.header("RS256"), payload);
  }

  private static Map<String, String> bearer(String token) {
    return Map.of("Authorization", "Bearer " + token);
  }

  private HttpResponse<String> call(String method, String path, String body, String token)
      throws Exception {
    return node.request(method, path, body, token == null ? Map.of() : bearer(token));
  }

  @ParameterizedTest(name = "{0} {1} as {2} -> {3}")
  @CsvSource({
    "GET, /scopes, datasource, 200",
    "GET, /scopes, client, 403",
    "GET, /scopes, listener, 403",
    "GET, /scopes/tenant-a, datasource, 200",
    "GET, /scopes/tenant-a, client, 403",
    "POST, /scopes/tenant-a/refresh, client, 403",
    "POST, /scopes/refresh, datasource, 200",
    "DELETE, /scopes/nobody, client, 403",
    "GET, /internal/stats, client, 403",
    "GET, /internal/stats, datasource, 200",
    "GET, /scopes/tenant-a/data, client-allowed, 200",
    "GET, /scopes/tenant-a/data, client-other, 403",
    "GET, /scopes/tenant-a/data, client-no-scopes, 403",
    "GET, /scopes/tenant-a/policy, client-other, 403",
    "GET, /scopes/tenant-a/bundle.tar.gz, client-other, 403",
    "GET, /scopes/tenant-a/policy, client-allowed, 503",
    "GET, /healthz, none, 200",
    "GET, /ready, none, 200",
    "GET, /metrics, none, 200"
  })
  void peerTypesAndScopesDecideAccess(String method, String path, String who, int status)
      throws Exception {
    String token =
        switch (who) {
          case "none" -> null;
          case "client-allowed" -> token("client", List.of("tenant-a"), null);
          case "client-other" -> token("client", List.of("tenant-b"), null);
          case "client-no-scopes" -> token("client", null, null);
          default -> token(who, null, null);
        };
    HttpResponse<String> response = call(method, path, null, token);
    assertEquals(status, response.statusCode(), response.body());
    if (status == 403) {
      assertTrue(new JsonObject(response.body()).getString("detail").length() > 0);
    }
  }

  @Test
  void badTokensAre401WithoutEchoingTheToken() throws Exception {
    String expired = sign(key, "datasource", null, null, -60);
    String wrongKey = sign(otherKey, "datasource", null, null, 3600);
    for (String token : List.of(expired, wrongKey, "not.a.token", "x")) {
      HttpResponse<String> response = call("GET", "/scopes", null, token);
      assertEquals(401, response.statusCode(), token);
      assertEquals("Bearer", response.headers().firstValue("www-authenticate").orElse(""));
      assertFalse(response.body().contains(token), "the token is never echoed");
    }
    HttpResponse<String> missing = call("GET", "/scopes", null, null);
    assertEquals(401, missing.statusCode());
  }

  @Test
  void refusedWritesChangeNothing() throws Exception {
    String before = call("GET", "/scopes", null, token("datasource", null, null)).body();
    assertEquals(
        403,
        call(
                "PUT",
                "/scopes",
                TestNode.scope("intruder", "https://h/r.git").encode(),
                token("client", List.of("intruder"), null))
            .statusCode());
    assertEquals(401, call("DELETE", "/scopes/tenant-a", null, null).statusCode());
    assertEquals(before, call("GET", "/scopes", null, token("datasource", null, null)).body());
  }

  @Test
  void dataUpdatesHonourPermittedTopicsAndPublishWithTheScopePrefix() throws Exception {
    List<JsonObject> published = new CopyOnWriteArrayList<>();
    node.vertx
        .eventBus()
        .<JsonObject>consumer(Addresses.dataUpdated("tenant-a"), m -> published.add(m.body()))
        .completion()
        .await();
    String update =
        new JsonObject()
            .put(
                "entries",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("url", "https://api.example/users")
                            .put("topics", new JsonArray().add("users"))))
            .encode();
    assertEquals(
        403,
        call(
                "POST",
                "/scopes/tenant-a/data/update",
                update,
                token("datasource", null, List.of("billing")))
            .statusCode());
    HttpResponse<String> ok =
        call(
            "POST",
            "/scopes/tenant-a/data/update",
            update,
            token("datasource", null, List.of("users")));
    assertEquals(200, ok.statusCode(), ok.body());
    Await.until(() -> !published.isEmpty());
    assertEquals(1, published.size());
    // As the scope's OPAL clients need them (DESIGN §12): scope-prefixed, so the client applies
    // them.
    assertEquals(
        new JsonArray().add("tenant-a:data:users"),
        published
            .get(0)
            .getJsonObject("update")
            .getJsonArray("entries")
            .getJsonObject(0)
            .getJsonArray("topics"));
    assertEquals("tenant-a", published.get(0).getString("scope_id"));
    assertEquals(
        404,
        call("POST", "/scopes/nobody/data/update", update, token("datasource", null, null))
            .statusCode());
    assertEquals(
        422,
        call(
                "POST",
                "/scopes/tenant-a/data/update",
                "{\"entries\": 5}",
                token("datasource", null, null))
            .statusCode());
  }
}
