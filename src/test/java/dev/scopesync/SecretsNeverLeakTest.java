package dev.scopesync;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.bus.Addresses;
import dev.scopesync.testing.CapturedLogs;
import dev.scopesync.testing.GitRemote;
import dev.scopesync.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secrets are write-only: no read, event, log line, metric or error message carries one. */
class SecretsNeverLeakTest {
  private static final String TOKEN = "ghp_TOKEN_f00dfeed";
  private static final String PASSWORD = "PASSWORD_hunter2_xyz";
  private static final String KEY_MARKER =
      "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW";

  @TempDir Path dir;

  @Test
  void noReadEventLogOrMetricCarriesASecret() throws Exception {
    CapturedLogs logs = new CapturedLogs();
    logs.attach();
    List<String> busTraffic = new CopyOnWriteArrayList<>();
    try (GitRemote remote = GitRemote.create(Files.createDirectories(dir.resolve("remotes")), "p");
        TestNode node = TestNode.start(dir.resolve("node"))) {
      remote.commit("init", Map.of("a.rego", "package a\n"));
      node.vertx
          .eventBus()
          .addOutboundInterceptor(
              ctx -> {
                // Replies to the fetcher's own scope lookup and the write itself carry the secret
                // by design.
                String address = ctx.message().address();
                if (!address.startsWith("__vertx.reply") && !address.equals(Addresses.SCOPES_PUT)) {
                  busTraffic.add(ctx.message().address() + " " + ctx.message().body());
                }
                ctx.next();
              });
      List<JsonObject> scopes = new ArrayList<>();
      scopes.add(
          withAuth(
              TestNode.scope("with-token", remote.fileUrl()),
              new JsonObject().put("auth_type", "github_token").put("token", TOKEN)));
      scopes.add(
          withAuth(
              TestNode.scope("with-password", "https://127.0.0.1:1/x.git"),
              new JsonObject()
                  .put("auth_type", "userpass")
                  .put("username", "bob")
                  .put("password", PASSWORD)));
      scopes.add(
          withAuth(
              TestNode.scope("with-key", "ssh://git@127.0.0.1:1/x.git"),
              new JsonObject()
                  .put("auth_type", "ssh")
                  .put("username", "git")
                  .put("private_key", dev.scopesync.validation.ScopeParserTestKeys.OPENSSH_KEY)));
      for (JsonObject scope : scopes) {
        node.putAndAwaitSync(scope);
      }
      // A refused update whose other fields are wrong must not echo the secret either.
      JsonObject bad =
          withAuth(
              TestNode.scope("bad", "ftp://x/y"),
              new JsonObject().put("auth_type", "github_token").put("token", TOKEN));
      List<String> seen = new ArrayList<>();
      seen.add(node.put(bad).body());
      seen.add(node.request("GET", "/scopes", null).body());
      for (String id : List.of("with-token", "with-password", "with-key")) {
        seen.add(node.request("GET", "/scopes/" + id, null).body());
        seen.add(node.request("GET", "/scopes/" + id + "/policy", null).body());
        seen.add(node.request("GET", "/scopes/" + id + "/data", null).body());
        seen.add(
            node.vertx
                .eventBus()
                .<JsonObject>request(Addresses.SCOPES_GET, new JsonObject().put("scope_id", id))
                .await(10, TimeUnit.SECONDS)
                .body()
                .encode());
      }
      seen.add(
          node.vertx
              .eventBus()
              .<JsonObject>request(Addresses.SCOPES_LIST, new JsonObject())
              .await(10, TimeUnit.SECONDS)
              .body()
              .encode());
      seen.add(node.request("GET", "/metrics", null).body());
      seen.add(node.request("GET", "/internal/stats", null).body());
      assertTrue(
          node.request("GET", "/scopes", null).body().contains("bob"), "usernames are shown");
      for (String id : List.of("with-token", "with-password", "with-key")) {
        node.delete(id);
      }
      node.deleted.await(e -> true, 3, Duration.ofSeconds(30));
      seen.addAll(busTraffic);
      logs.list.forEach(
          e ->
              seen.add(
                  e.getFormattedMessage()
                      + (e.getThrowableProxy() == null
                          ? ""
                          : " " + e.getThrowableProxy().getMessage())));
      assertTrue(logs.list.size() > 5, "logs were captured");
      assertTrue(busTraffic.size() > 5, "bus traffic was captured");
      for (String text : seen) {
        for (String secret : List.of(TOKEN, PASSWORD, KEY_MARKER)) {
          assertFalse(text.contains(secret), "a secret leaked into: " + text);
        }
      }
    } finally {
      logs.detach();
    }
  }

  private static JsonObject withAuth(JsonObject scope, JsonObject auth) {
    scope.getJsonObject("policy").put("auth", auth);
    return scope;
  }
}
