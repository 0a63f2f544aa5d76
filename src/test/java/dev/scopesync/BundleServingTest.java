package dev.scopesync;

import static dev.scopesync.testing.EventLog.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.bus.Addresses;
import dev.scopesync.testing.Await;
import dev.scopesync.testing.GitDaemon;
import dev.scopesync.testing.GitRemote;
import dev.scopesync.testing.SilentServer;
import dev.scopesync.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bundles over real HTTP from clones of a git daemon remote. */
class BundleServingTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  private GitDaemon daemon;
  private GitRemote remote;
  private TestNode node;
  private String first;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    Path remotes = Files.createDirectories(dir.resolve("remotes"));
    remote = GitRemote.create(remotes, "policies");
    first =
        remote.commit(
            "initial",
            Map.of(
                "rbac.rego", "package app.rbac\nallow = true\n",
                "other/data.json", "{\"a\": 1}",
                "other/x.rego", "package other.x\n",
                "README.md", "hello"));
    daemon = GitDaemon.start(remotes);
    node = TestNode.start(dir.resolve("node"));
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
    remote.close();
    daemon.close();
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.server.httpPort() + path));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<byte[]> getBytes(String path, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.server.httpPort() + path));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void fullBundleWithETagAnd304() throws Exception {
    node.putAndAwaitSync(TestNode.scope("tenant-a", daemon.url("policies")));
    HttpResponse<String> response = get("/scopes/tenant-a/policy");
    assertEquals(200, response.statusCode(), response.body());
    JsonObject bundle = new JsonObject(response.body());
    assertEquals(first, bundle.getString("hash"));
    assertNull(bundle.getValue("old_hash"));
    assertEquals(
        new JsonArray(List.of("rbac.rego", "other/data.json", "other/x.rego")),
        bundle.getJsonArray("manifest"));
    assertEquals(
        new JsonArray().add(new JsonObject().put("path", "other").put("data", "{\"a\": 1}")),
        bundle.getJsonArray("data_modules"));
    assertEquals(
        "app.rbac",
        bundle.getJsonArray("policy_modules").getJsonObject(0).getString("package_name"));
    assertNull(bundle.getValue("deleted_files"));
    String etag = response.headers().firstValue("etag").orElseThrow();
    assertEquals(304, get("/scopes/tenant-a/policy", "If-None-Match", etag).statusCode());
    assertEquals(200, get("/scopes/tenant-a/policy", "If-None-Match", "\"other\"").statusCode());
    assertEquals(1, node.stats().getInteger("cached_bundles"));
  }

  @Test
  void diffBundleAgainstAKnownBaseAndFullBundleForAnUnknownOne() throws Exception {
    node.putAndAwaitSync(TestNode.scope("tenant-a", daemon.url("policies")));
    Map<String, String> change = new LinkedHashMap<>();
    change.put("rbac.rego", "package app.rbac\nallow = false\n");
    change.put("other/x.rego", null);
    String second = remote.commit("change", change);
    refresh("tenant-a");
    JsonObject diff = new JsonObject(get("/scopes/tenant-a/policy?base_hash=" + first).body());
    assertEquals(second, diff.getString("hash"));
    assertEquals(first, diff.getString("old_hash"));
    assertEquals(1, diff.getJsonArray("policy_modules").size());
    assertEquals(
        "rbac.rego", diff.getJsonArray("policy_modules").getJsonObject(0).getString("path"));
    assertEquals(
        new JsonObject()
            .put("data_modules", new JsonArray())
            .put("policy_modules", new JsonArray().add("other/x.rego")),
        diff.getJsonObject("deleted_files"));

    JsonObject unknown =
        new JsonObject(get("/scopes/tenant-a/policy?base_hash=" + "ab".repeat(20)).body());
    assertNull(unknown.getValue("old_hash"));
    assertEquals(2, unknown.getJsonArray("manifest").size());
    assertEquals(422, get("/scopes/tenant-a/policy?base_hash=nothex").statusCode());
  }

  @Test
  void missingScopeFallsBackToDefaultElse404() throws Exception {
    HttpResponse<String> none = get("/scopes/ghost/policy");
    assertEquals(404, none.statusCode());
    assertEquals("No such scope: ghost", new JsonObject(none.body()).getString("detail"));
    node.putAndAwaitSync(TestNode.scope("default", daemon.url("policies")));
    HttpResponse<String> fallback = get("/scopes/ghost/policy");
    assertEquals(200, fallback.statusCode());
    assertEquals(first, new JsonObject(fallback.body()).getString("hash"));
  }

  @Test
  void aScopeWhoseCloneIsNotReadyGets503WithRetryAfter() throws Exception {
    try (SilentServer silent = new SilentServer()) {
      node.put(TestNode.scope("slow", silent.httpUrl("x")));
      HttpResponse<String> response = get("/scopes/slow/policy");
      assertEquals(503, response.statusCode(), response.body());
      assertTrue(response.headers().firstValue("retry-after").isPresent());
      assertTrue(new JsonObject(response.body()).getString("detail").contains("not cloned yet"));
      node.delete("slow");
    }
  }

  @Test
  void theBusAddressAnswersTheSameBundle() throws Exception {
    node.putAndAwaitSync(TestNode.scope("tenant-a", daemon.url("policies")));
    JsonObject viaBus =
        node.vertx
            .eventBus()
            .<JsonObject>request(
                Addresses.SCOPES_POLICY, new JsonObject().put("scope_id", "tenant-a"))
            .await(10, TimeUnit.SECONDS)
            .body();
    assertEquals(new JsonObject(get("/scopes/tenant-a/policy").body()), viaBus);
  }

  @Test
  void deletingTheLastScopeDropsItsCachedBundles() throws Exception {
    node.putAndAwaitSync(TestNode.scope("tenant-a", daemon.url("policies")));
    get("/scopes/tenant-a/policy");
    getBytes("/scopes/tenant-a/bundle.tar.gz");
    assertEquals(2, node.stats().getInteger("cached_bundles"));
    node.delete("tenant-a");
    node.deleted.awaitOne(field("scope_id", "tenant-a"), WAIT);
    assertEquals(0, node.stats().getInteger("cached_bundles"));
  }

  @Test
  void opaBundleIsAGzippedTarWithManifestAndOnlyThePolicyFiles() throws Exception {
    node.putAndAwaitSync(TestNode.scope("tenant-a", daemon.url("policies")));
    HttpResponse<byte[]> response = getBytes("/scopes/tenant-a/bundle.tar.gz");
    assertEquals(200, response.statusCode());
    Map<String, String> files = untar(response.body());
    assertEquals(
        List.of(".manifest", "rbac.rego", "other/data.json", "other/x.rego").stream()
            .sorted()
            .toList(),
        files.keySet().stream().sorted().toList());
    JsonObject manifest = new JsonObject(files.get(".manifest"));
    assertEquals(first, manifest.getString("revision"));
    assertEquals("package app.rbac\nallow = true\n", files.get("rbac.rego"));
    String etag = response.headers().firstValue("etag").orElseThrow();
    assertEquals(
        304, getBytes("/scopes/tenant-a/bundle.tar.gz", "If-None-Match", etag).statusCode());
  }

  @Test
  void longPollAnswers304AfterTheWaitAnd200AsSoonAsThePolicyChanges() throws Exception {
    node.putAndAwaitSync(TestNode.scope("tenant-a", daemon.url("policies")));
    String etag =
        getBytes("/scopes/tenant-a/bundle.tar.gz").headers().firstValue("etag").orElseThrow();

    HttpResponse<byte[]> unchanged =
        getBytes("/scopes/tenant-a/bundle.tar.gz", "If-None-Match", etag, "Prefer", "wait=1");
    assertEquals(304, unchanged.statusCode());
    assertEquals(
        "application/vnd.openpolicyagent.bundles",
        unchanged.headers().firstValue("content-type").orElse(""));

    HttpRequest held =
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:"
                        + node.server.httpPort()
                        + "/scopes/tenant-a/bundle.tar.gz"))
            .header("If-None-Match", etag)
            .header("Prefer", "wait=60")
            .build();
    CompletableFuture<HttpResponse<byte[]>> answer =
        http.sendAsync(held, HttpResponse.BodyHandlers.ofByteArray());
    awaitHeld(1);
    String second =
        remote.commit("change", Map.of("rbac.rego", "package app.rbac\nallow = false\n"));
    refresh("tenant-a");
    HttpResponse<byte[]> changed = answer.get(30, TimeUnit.SECONDS);
    assertEquals(200, changed.statusCode());
    assertNotEquals(etag, changed.headers().firstValue("etag").orElseThrow());
    assertEquals(
        second, new JsonObject(untar(changed.body()).get(".manifest")).getString("revision"));
    assertEquals(0, node.server.heldLongPolls());
  }

  @Test
  void heldLongPollsAreReleasedOnShutdown() throws Exception {
    node.putAndAwaitSync(TestNode.scope("tenant-a", daemon.url("policies")));
    String etag =
        getBytes("/scopes/tenant-a/bundle.tar.gz").headers().firstValue("etag").orElseThrow();
    HttpRequest held =
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:"
                        + node.server.httpPort()
                        + "/scopes/tenant-a/bundle.tar.gz"))
            .header("If-None-Match", etag)
            .header("Prefer", "wait=300")
            .build();
    CompletableFuture<HttpResponse<byte[]>> answer =
        http.sendAsync(held, HttpResponse.BodyHandlers.ofByteArray());
    awaitHeld(1);
    node.server.stop().await(30, TimeUnit.SECONDS);
    assertEquals(304, answer.get(30, TimeUnit.SECONDS).statusCode());
  }

  private void awaitHeld(int count) throws InterruptedException {
    Await.until(() -> node.server.heldLongPolls() >= count);
  }

  private void refresh(String scopeId) throws Exception {
    int before = node.synced.matching(field("scope_id", scopeId)).size();
    node.request("POST", "/scopes/" + scopeId + "/refresh", null);
    node.synced.await(field("scope_id", scopeId), before + 1, WAIT);
  }

  static Map<String, String> untar(byte[] gz) throws Exception {
    Map<String, String> files = new LinkedHashMap<>();
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(new GZIPInputStream(new ByteArrayInputStream(gz)))) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        String name =
            entry.getName().startsWith("/") ? entry.getName().substring(1) : entry.getName();
        files.put(name, new String(tar.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
    return files;
  }
}
