package dev.scopesync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.testing.GitDaemon;
import dev.scopesync.testing.GitRemote;
import dev.scopesync.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Pushes to real git daemon remotes, announced by each provider's payload shape. */
class WebhookTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  static final String SECRET = "It's a Secret to Everybody";

  @TempDir Path dir;
  private GitDaemon daemon;
  private GitRemote repo1;
  private GitRemote repo2;
  private TestNode node;

  @BeforeEach
  void start() throws Exception {
    Path remotes = Files.createDirectories(dir.resolve("remotes"));
    repo1 = GitRemote.create(remotes, "repo1");
    repo1.commit("init", Map.of("a.rego", "package a\n"));
    repo1.commit("dev", "init dev", Map.of("d.rego", "package d\n"));
    repo2 = GitRemote.create(remotes, "repo2");
    repo2.commit("init", Map.of("b.rego", "package b\n"));
    daemon = GitDaemon.start(remotes);
    node =
        TestNode.start(
            dir.resolve("node"),
            c -> {
              c.getJsonObject("webhook").put("secret", SECRET);
              return c;
            });
    node.putAndAwaitSync(TestNode.scope("repo1-main", daemon.url("repo1")));
    node.putAndAwaitSync(TestNode.scope("repo1-main-too", daemon.url("repo1")));
    node.putAndAwaitSync(TestNode.scope("repo1-dev", daemon.url("repo1"), "dev"));
    node.putAndAwaitSync(TestNode.scope("repo2-main", daemon.url("repo2")));
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
    repo1.close();
    repo2.close();
    daemon.close();
  }

  record Hook(Map<String, String> headers, JsonObject body) {}

  /** Each provider's documented push shape, pointed at a url and branch. */
  static Hook hook(String provider, String url, String branch) {
    String ref = "refs/heads/" + branch;
    return switch (provider) {
      case "github" ->
          new Hook(
              Map.of("X-GitHub-Event", "push"),
              new JsonObject()
                  .put("ref", ref)
                  .put("after", "0".repeat(40))
                  .put(
                      "repository",
                      new JsonObject().put("clone_url", url).put("full_name", "acme/unrelated")));
      case "gitlab" ->
          new Hook(
              Map.of("X-Gitlab-Event", "Push Hook"),
              new JsonObject()
                  .put("object_kind", "push")
                  .put("ref", ref)
                  .put(
                      "project",
                      new JsonObject()
                          .put("git_http_url", url)
                          .put("path_with_namespace", "acme/unrelated")));
      case "azure" ->
          new Hook(
              Map.of(),
              new JsonObject()
                  .put("eventType", "git.push")
                  .put(
                      "resource",
                      new JsonObject()
                          .put("refUpdates", new JsonArray().add(new JsonObject().put("name", ref)))
                          .put("repository", new JsonObject().put("remoteUrl", url))));
      case "bitbucket" ->
          new Hook(
              Map.of("X-Event-Key", "repo:push"),
              new JsonObject()
                  .put(
                      "repository",
                      new JsonObject()
                          .put("full_name", "acme/unrelated")
                          .put(
                              "links",
                              new JsonObject().put("html", new JsonObject().put("href", url))))
                  .put(
                      "push",
                      new JsonObject()
                          .put(
                              "changes",
                              new JsonArray()
                                  .add(
                                      new JsonObject()
                                          .put(
                                              "new",
                                              new JsonObject()
                                                  .put("type", "branch")
                                                  .put("name", branch))))));
      default -> throw new IllegalArgumentException(provider);
    };
  }

  private HttpResponse<String> push(String provider, String url, String branch) throws Exception {
    Hook hook = hook(provider, url, branch);
    String body = hook.body().encode();
    Map<String, String> headers = new java.util.HashMap<>(hook.headers());
    headers.put("X-Hub-Signature-256", sign(body));
    return node.request("POST", "/webhook", body, headers);
  }

  static String sign(String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"github", "gitlab", "azure", "bitbucket"})
  void aPushRefreshesExactlyTheScopesOfThatRepositoryAndBranch(String provider) throws Exception {
    String commit = repo1.commit("change", Map.of("a.rego", "package a\nallow = true\n"));
    int syncsBefore = node.synced.all().size();
    // The host's own url form (https, with .git) names the same repository as the git:// url.
    HttpResponse<String> response = push(provider, "https://127.0.0.1/repo1.git", "main");
    assertEquals(200, response.statusCode(), response.body());
    JsonObject answer = new JsonObject(response.body());
    assertEquals("ok", answer.getString("status"));
    assertEquals("push", answer.getString("event"));
    assertEquals(
        new JsonArray(List.of("repo1-main", "repo1-main-too")), answer.getJsonArray("scopes"));
    List<JsonObject> syncs = node.synced.await(e -> true, syncsBefore + 2, WAIT);
    List<JsonObject> after = syncs.subList(syncsBefore, syncs.size());
    assertEquals(2, after.size(), "only the two scopes on repo1/main synced: " + after);
    for (JsonObject e : after) {
      assertEquals(commit, e.getString("commit"));
      assertTrue(e.getString("scope_id").startsWith("repo1-main"));
    }
    node.policyUpdated.awaitOne(
        e ->
            "repo1-main".equals(e.getString("scope_id"))
                && commit.equals(e.getString("new_policy_hash")),
        WAIT);
  }

  @Test
  void aPushOfAnotherBranchOrRepositoryIsIgnored() throws Exception {
    JsonObject answer =
        new JsonObject(push("github", "https://127.0.0.1/repo1.git", "feature").body());
    assertEquals("ignored", answer.getString("status"));
    assertEquals(new JsonArray(), answer.getJsonArray("scopes"));
    answer = new JsonObject(push("github", "https://127.0.0.1/repo3.git", "main").body());
    assertEquals("ignored", answer.getString("status"));
  }

  @Test
  void wrongOrMissingSignaturesAreRefusedAndTriggerNothing() throws Exception {
    int syncsBefore = node.synced.all().size();
    String body =
        new JsonObject()
            .put("ref", "refs/heads/main")
            .put("repository", new JsonObject().put("clone_url", "https://127.0.0.1/repo1.git"))
            .encode();
    assertEquals(
        401, node.request("POST", "/webhook", body, Map.of("X-GitHub-Event", "push")).statusCode());
    assertEquals(
        401,
        node.request(
                "POST",
                "/webhook",
                body,
                Map.of("X-GitHub-Event", "push", "X-Hub-Signature-256", "sha256=" + "0".repeat(64)))
            .statusCode());
    assertEquals(
        401,
        node.request(
                "POST",
                "/webhook",
                body,
                Map.of("X-GitHub-Event", "push", "X-Hub-Signature-256", sign(body + " ")))
            .statusCode());
    assertEquals(
        401,
        node.request(
                "POST",
                "/webhook",
                body,
                Map.of("X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", "guess"))
            .statusCode());
    assertTrue(
        new JsonObject(
                node.request("POST", "/webhook", body, Map.of("X-GitHub-Event", "push")).body())
            .getString("detail")
            .contains("signature"));
    // A right GitLab token is accepted.
    assertEquals(
        200,
        node.request(
                "POST",
                "/webhook",
                body,
                Map.of("X-GitHub-Event", "push", "X-Gitlab-Token", SECRET))
            .statusCode());
    node.synced.await(e -> true, syncsBefore + 2, WAIT);
    assertEquals(
        syncsBefore + 2, node.synced.all().size(), "only the accepted push triggered syncs");
  }

  @Test
  void nonPushEventsAreIgnoredAndPayloadsWithoutRepositoryAreRefused() throws Exception {
    String ping =
        new JsonObject()
            .put("zen", "Keep it logically awesome.")
            .put("hook_id", 1)
            .put("repository", new JsonObject().put("clone_url", "https://127.0.0.1/repo1.git"))
            .encode();
    HttpResponse<String> response =
        node.request(
            "POST",
            "/webhook",
            ping,
            Map.of("X-GitHub-Event", "ping", "X-Hub-Signature-256", sign(ping)));
    assertEquals(200, response.statusCode());
    assertEquals("ignored", new JsonObject(response.body()).getString("status"));

    String noRepo = new JsonObject().put("ref", "refs/heads/main").encode();
    assertEquals(
        400,
        node.request(
                "POST",
                "/webhook",
                noRepo,
                Map.of("X-GitHub-Event", "push", "X-Hub-Signature-256", sign(noRepo)))
            .statusCode());
    String broken = "{\"ref\":";
    assertEquals(
        400,
        node.request(
                "POST",
                "/webhook",
                broken,
                Map.of("X-GitHub-Event", "push", "X-Hub-Signature-256", sign(broken)))
            .statusCode());
  }

  @Test
  void thousandsOfWebhooksLeaveNothingBehind() throws Exception {
    for (int i = 0; i < 300; i++) {
      push("github", "https://127.0.0.1/nothing" + i + ".git", "main");
    }
    long heapBefore = heapAfterGc();
    int syncsBefore = node.synced.all().size();
    int matching = 0;
    for (int i = 0; i < 3000; i++) {
      if (i % 100 == 0) {
        assertEquals(
            "ok",
            new JsonObject(push("gitlab", daemon.url("repo2"), "main").body()).getString("status"));
        matching++;
      } else {
        push(i % 2 == 0 ? "github" : "bitbucket", "https://127.0.0.1/nothing" + i + ".git", "main");
      }
    }
    node.synced.await(e -> true, syncsBefore + matching, WAIT);
    JsonObject stats = node.stats();
    assertEquals(0, stats.getInteger("source_queues"));
    assertEquals(4, stats.getInteger("scopes"));
    assertEquals(2, stats.getInteger("repos"));
    assertEquals(2, stats.getInteger("last_fetched"));
    assertEquals(0, node.server.heldLongPolls());
    long heapAfter = heapAfterGc();
    assertTrue(
        heapAfter < heapBefore + 16 * 1024 * 1024,
        "heap after GC grew from " + heapBefore + " to " + heapAfter);
  }

  private long heapAfterGc() throws Exception {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return node.stats().getLong("heap_used_bytes");
  }
}
