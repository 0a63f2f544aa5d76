package dev.scopesync.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.testing.GitDaemon;
import dev.scopesync.testing.GitRemote;
import dev.scopesync.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The edge's own route for cached bundles (DESIGN §18) answers exactly as the router would: with
 * auth and CORS on, a bundle that is in the served bundles is still refused to a caller the route
 * refuses, a CORS request still gets its headers, and a request of any other shape still gets the
 * router's answer. Each case is asked after the bundles are cached.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CachedAnswersEdgeTest {
  private final KeyPair key = TestTokens.rsa();
  private TestNode node;
  private GitRemote remote;
  private GitDaemon daemon;
  private String etag;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    Path remotes = Files.createDirectories(dir.resolve("remotes"));
    remote = GitRemote.create(remotes, "policies");
    remote.commit("initial", Map.of("rbac.rego", "package app.rbac\nallow = true\n"));
    daemon = GitDaemon.start(remotes);
    node =
        TestNode.start(
            dir.resolve("node"),
            c -> {
              c.getJsonObject("auth").put("publicKey", TestTokens.publicPem(key));
              c.put(
                  "http",
                  c.getJsonObject("http", new JsonObject())
                      .put("allowedOrigins", new JsonArray().add("https://app.example")));
              return c;
            });
    Map<String, String> admin = bearer(token("datasource", null));
    for (String scope : List.of("tenant-a", "default")) {
      int before =
          node.synced.matching(dev.scopesync.testing.EventLog.field("scope_id", scope)).size();
      assertEquals(
          201,
          node.request(
                  "PUT", "/scopes", TestNode.scope(scope, daemon.url("policies")).encode(), admin)
              .statusCode());
      node.synced.await(
          dev.scopesync.testing.EventLog.field("scope_id", scope),
          before + 1,
          java.time.Duration.ofSeconds(30));
    }
    Map<String, String> reader = bearer(token("client", List.of("tenant-a")));
    HttpResponse<String> first = node.request("GET", "/scopes/tenant-a/policy", null, reader);
    assertEquals(200, first.statusCode(), first.body());
    etag = first.headers().firstValue("etag").orElseThrow();
    assertEquals(
        200, node.request("GET", "/scopes/tenant-a/bundle.tar.gz", null, reader).statusCode());
    assertEquals(200, node.request("GET", "/policy", null, reader).statusCode());
    JsonObject stats = new JsonObject(node.request("GET", "/internal/stats", null, admin).body());
    assertTrue(stats.getInteger("served_bundles") >= 3, stats.encode());
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
    remote.close();
    daemon.close();
  }

  private String token(String peerType, List<String> scopes) {
    return TestTokens.opal(key.getPrivate(), peerType, scopes);
  }

  private static Map<String, String> bearer(String token) {
    return Map.of("Authorization", "Bearer " + token);
  }

  @ParameterizedTest(name = "GET {0} as {1} with {2} -> {3}")
  @CsvSource(
      delimiter = '|',
      value = {
        "/scopes/tenant-a/policy | allowed | - | 200",
        "/scopes/tenant-a/policy | none | - | 401",
        "/scopes/tenant-a/policy | other | - | 403",
        "/scopes/tenant-a/bundle.tar.gz | other | - | 403",
        "/scopes/tenant-a/bundle.tar.gz | allowed | - | 200",
        "/policy | none | - | 401",
        "/policy | other | - | 200",
        "/scopes/tenant-a/policy | allowed | if-none-match | 304",
        "/scopes/tenant-a/policy?base_hash=zz | allowed | - | 422",
        "/scopes/tenant-a/policy?path=missing | allowed | - | 404",
        "/scopes/tenant-a/policy | allowed | multipart | 415",
        "/scopes/tenant%2Da/policy | allowed | - | 200",
        "/scopes/tenant-a/policy | allowed | origin | 200"
      })
  void theCachedRouteAnswersAsTheRouterWould(String path, String who, String extra, int status)
      throws Exception {
    Map<String, String> headers = new java.util.HashMap<>();
    switch (who) {
      case "allowed" -> headers.putAll(bearer(token("client", List.of("tenant-a"))));
      case "other" -> headers.putAll(bearer(token("client", List.of("tenant-b"))));
      default -> {}
    }
    switch (extra) {
      case "if-none-match" -> headers.put("If-None-Match", etag);
      case "multipart" -> headers.put("Content-Type", "multipart/form-data; boundary=x");
      case "origin" -> headers.put("Origin", "https://app.example");
      default -> {}
    }
    HttpResponse<String> response = node.request("GET", path, null, headers);
    assertEquals(status, response.statusCode(), response.body());
    if (extra.equals("origin")) {
      assertEquals(
          "https://app.example",
          response.headers().firstValue("access-control-allow-origin").orElse(null));
    }
  }

  @org.junit.jupiter.api.Test
  void cachedAnswersAreCountedUnderTheirRoutePattern() throws Exception {
    double before =
        node.metric(
            "vertx_http_server_requests_total{code=\"200\",method=\"GET\",route=\"/scopes/:scopeId/policy\"}");
    long hitsBefore = (long) node.metric("scopesync_bundle_cache_hits_total");
    Map<String, String> reader = bearer(token("client", List.of("tenant-a")));
    for (int i = 0; i < 5; i++) {
      assertEquals(200, node.request("GET", "/scopes/tenant-a/policy", null, reader).statusCode());
    }
    assertEquals(
        before + 5,
        node.metric(
            "vertx_http_server_requests_total{code=\"200\",method=\"GET\",route=\"/scopes/:scopeId/policy\"}"));
    assertEquals(hitsBefore + 5, (long) node.metric("scopesync_bundle_cache_hits_total"));
  }
}
