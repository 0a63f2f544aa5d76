package dev.scopesync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.testing.GitDaemon;
import dev.scopesync.testing.GitRemote;
import dev.scopesync.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A full-size GitHub push delivery (about 10 KB of JSON, 14 KB once form-encoded) in both of
 * GitHub's content types, signed over the raw body as GitHub signs it: the form refreshes exactly
 * what the JSON does, and wrong or missing signatures trigger nothing.
 */
class WebhookFormTest {
  private static final String SECRET = "It's a Secret to Everybody";
  private static final Duration WAIT = Duration.ofSeconds(30);

  @org.junit.jupiter.api.io.TempDir Path dir;
  private GitDaemon daemon;
  private GitRemote remote;
  private TestNode node;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    Path remotes = Files.createDirectories(dir.resolve("remotes"));
    remote = GitRemote.create(remotes, "policies");
    remote.commit("init", Map.of("rbac/main.rego", "package rbac\n"));
    daemon = GitDaemon.start(remotes);
    node =
        TestNode.start(
            dir.resolve("node"),
            c -> {
              c.getJsonObject("webhook").put("secret", SECRET);
              return c;
            });
    node.putAndAwaitSync(TestNode.scope("acme", daemon.url("policies")));
    node.putAndAwaitSync(TestNode.scope("other", daemon.url("policies"), "dev"));
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
    remote.close();
    daemon.close();
  }

  /** GitHub's push payload, pointing at the test's host (the path and full name stay acme's). */
  private static String payload() throws Exception {
    try (InputStream in =
        WebhookFormTest.class.getResourceAsStream("/webhooks/github-push-full.json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .trim()
          .replace("github.com/acme/policies", "127.0.0.1/policies")
          .replace("github.com:acme/policies", "127.0.0.1:policies");
    }
  }

  private static String sign(byte[] body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
  }

  private HttpResponse<String> deliver(String contentType, byte[] body, String signature)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + node.server.httpPort() + "/webhook"))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .header("Content-Type", contentType)
            .header("X-GitHub-Event", "push")
            .header("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958")
            .header("User-Agent", "GitHub-Hookshot/044aadd");
    if (signature != null) {
      request.header("X-Hub-Signature-256", signature);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"application/json", "application/x-www-form-urlencoded"})
  void aPushInEitherContentTypeRefreshesExactlyTheMatchingScope(String contentType)
      throws Exception {
    String json = payload();
    byte[] body =
        contentType.equals("application/json")
            ? json.getBytes(StandardCharsets.UTF_8)
            : ("payload=" + URLEncoder.encode(json, StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.US_ASCII);
    assertTrue(body.length > 9_000, "a full-size delivery: " + body.length);

    int before = node.synced.all().size();
    assertEquals(401, deliver(contentType, body, null).statusCode());
    assertEquals(401, deliver(contentType, body, "sha256=" + "0".repeat(64)).statusCode());
    // Signed over the decoded JSON rather than the raw body as sent: wrong.
    assertEquals(
        401,
        deliver(contentType, body, sign((json + " ").getBytes(StandardCharsets.UTF_8)))
            .statusCode());
    assertEquals(before, node.synced.all().size(), "refused deliveries trigger nothing");

    String commit =
        remote.commit("change", Map.of("rbac/main.rego", "package rbac\nallow = true\n"));
    HttpResponse<String> ok = deliver(contentType, body, sign(body));
    assertEquals(200, ok.statusCode(), ok.body());
    JsonObject answer = new JsonObject(ok.body());
    assertEquals("ok", answer.getString("status"));
    assertEquals(new JsonArray().add("acme"), answer.getJsonArray("scopes"));
    JsonObject synced =
        node.synced.awaitOne(
            e -> "acme".equals(e.getString("scope_id")) && commit.equals(e.getString("commit")),
            WAIT);
    assertEquals("ok", synced.getString("outcome"));
  }
}
