package dev.scopesync;

import static dev.scopesync.testing.EventLog.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.model.SourceId;
import dev.scopesync.testing.GitDaemon;
import dev.scopesync.testing.GitRemote;
import dev.scopesync.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One node, real remotes served by git daemon, driven over real HTTP. */
class ScopeLifecycleTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  private GitDaemon daemon;
  private GitRemote policies;
  private TestNode node;

  @BeforeEach
  void start() throws Exception {
    Path remotes = Files.createDirectories(dir.resolve("remotes"));
    policies = GitRemote.create(remotes, "policies");
    policies.commit(
        "initial",
        Map.of(
            "rbac.rego", "package app.rbac\nallow = true\n",
            "other/data.json", "{\"a\": 1}",
            "other/deep/x.rego", "package other.deep\n",
            "README.md", "hello"));
    daemon = GitDaemon.start(remotes);
  }

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
    policies.close();
    daemon.close();
  }

  private String url() {
    return daemon.url("policies");
  }

  private String sourceId(String branch) {
    return SourceId.of(url(), branch, node.config.cloneShards());
  }

  @Test
  void firstSyncClonesAndAnnouncesEveryBundleDirectory() throws Exception {
    node = TestNode.start(dir.resolve("node"));
    JsonObject synced = node.putAndAwaitSync(TestNode.scope("tenant-a", url()));
    assertEquals("ok", synced.getString("outcome"), synced.encode());
    JsonObject update = node.policyUpdated.awaitOne(field("scope_id", "tenant-a"), WAIT);
    String head = synced.getString("commit");
    assertEquals(head, update.getString("new_policy_hash"));
    assertEquals(
        head,
        update.getString("old_policy_hash"),
        "OPAL's schema has no null: old = new on first sync");
    assertEquals(
        new JsonArray(List.of(".", "other", "other/deep")),
        update.getJsonArray("changed_directories"));
    assertEquals(
        new JsonArray(List.of("policy:.", "policy:other", "policy:other/deep")),
        update.getJsonArray("topics"));

    Path clone = node.gitSources().resolve(sourceId("main"));
    assertTrue(
        Files.isDirectory(clone.resolve(".git")),
        "OPAL's layout: <baseDir>/git_sources/<source_id>/.git");
    try (Repository repo = open(clone)) {
      assertEquals(head, repo.exactRef("refs/heads/scopes/tenant-a").getObjectId().name());
    }
    JsonObject stats = node.stats();
    assertEquals(1, stats.getInteger("scopes"));
    assertEquals(1, stats.getInteger("repos"));
    assertEquals(1, stats.getInteger("last_fetched"));
    assertEquals(1, stats.getInteger("clone_dirs"));
    assertEquals(0, stats.getInteger("source_queues"));
  }

  @Test
  void refreshPublishesOnlyWhenTheBundleChanged() throws Exception {
    node = TestNode.start(dir.resolve("node"));
    node.putAndAwaitSync(TestNode.scope("tenant-a", url()));
    node.policyUpdated.awaitOne(field("scope_id", "tenant-a"), WAIT);

    // Nothing new upstream: a forced refresh fetches but announces nothing.
    refreshAndAwait("tenant-a");
    // A README edit changes no bundle file: nothing is announced.
    policies.commit("docs", Map.of("README.md", "changed"));
    String afterReadme = refreshAndAwait("tenant-a").getString("commit");
    // A rego change in a nested directory announces that directory and its parents.
    policies.commit("policy", Map.of("other/deep/x.rego", "package other.deep\nallow = false\n"));
    JsonObject synced = refreshAndAwait("tenant-a");
    List<JsonObject> updates = node.policyUpdated.matching(field("scope_id", "tenant-a"));
    assertEquals(2, updates.size(), "first sync and the rego change only: " + updates);
    JsonObject change = updates.get(1);
    assertEquals(afterReadme, change.getString("old_policy_hash"));
    assertEquals(synced.getString("commit"), change.getString("new_policy_hash"));
    assertEquals(
        new JsonArray(List.of(".", "other", "other/deep")),
        change.getJsonArray("changed_directories"));
  }

  @Test
  void repeatedSyncsDoNotGrowAnyCount() throws Exception {
    node = TestNode.start(dir.resolve("node"));
    node.putAndAwaitSync(TestNode.scope("tenant-a", url()));
    JsonObject before = node.stats();
    for (int i = 0; i < 20; i++) {
      refreshAndAwait("tenant-a");
    }
    JsonObject after = node.stats();
    for (String key : List.of("scopes", "repos", "last_fetched", "source_queues", "clone_dirs")) {
      assertEquals(before.getInteger(key), after.getInteger(key), key);
    }
    assertTrue(
        after.getInteger("open_fds") <= before.getInteger("open_fds") + 3,
        "fds grew from " + before.getInteger("open_fds") + " to " + after.getInteger("open_fds"));
  }

  @Test
  void deleteOfLastScopeClosesRepositoryAndRemovesClone() throws Exception {
    node = TestNode.start(dir.resolve("node"));
    node.putAndAwaitSync(TestNode.scope("tenant-a", url()));
    assertEquals(204, node.delete("tenant-a").statusCode());
    JsonObject deleted = node.deleted.awaitOne(field("scope_id", "tenant-a"), WAIT);
    assertTrue(deleted.getBoolean("purged"), deleted.encode());
    assertFalse(Files.exists(node.gitSources().resolve(sourceId("main"))));
    JsonObject stats = node.stats();
    for (String key :
        List.of(
            "scopes",
            "repos",
            "last_fetched",
            "source_queues",
            "clone_dirs",
            "cached_bundles",
            "served_bundles")) {
      assertEquals(0, stats.getInteger(key), key + " in " + stats);
    }
    assertEquals(404, node.request("GET", "/scopes/tenant-a", null).statusCode());
  }

  @Test
  void siblingOnTheSameSourceKeepsTheCloneButLosesNothingElse() throws Exception {
    node = TestNode.start(dir.resolve("node"));
    node.putAndAwaitSync(TestNode.scope("tenant-a", url()));
    node.putAndAwaitSync(TestNode.scope("tenant-b", url()));
    Path clone = node.gitSources().resolve(sourceId("main"));

    node.delete("tenant-a");
    JsonObject first = node.deleted.awaitOne(field("scope_id", "tenant-a"), WAIT);
    assertFalse(first.getBoolean("purged"), "tenant-b still uses the clone");
    assertTrue(Files.isDirectory(clone));
    try (Repository repo = open(clone)) {
      assertNull(
          repo.exactRef("refs/heads/scopes/tenant-a"), "the deleted scope's own ref is removed");
      assertTrue(repo.exactRef("refs/heads/scopes/tenant-b") != null, "the sibling's ref stays");
    }
    assertEquals(1, node.stats().getInteger("repos"));

    node.delete("tenant-b");
    assertTrue(node.deleted.awaitOne(field("scope_id", "tenant-b"), WAIT).getBoolean("purged"));
    assertFalse(Files.exists(clone));
    assertEquals(0, node.stats().getInteger("repos"));
    assertEquals(0, node.stats().getInteger("last_fetched"));
  }

  @Test
  void withFourShardsTheSameUrlOnAnotherShardHasItsOwnCloneAndGoesAlone() throws Exception {
    node =
        TestNode.start(
            dir.resolve("node"),
            c -> {
              c.getJsonObject("git").put("cloneShards", 4);
              return c;
            });
    policies.commit("dev", "dev branch", Map.of("dev.rego", "package dev\n"));
    // sha256("main")[0] % 4 = 1, sha256("dev")[0] % 4 = 3: two clones of one url.
    assertNotEquals(sourceId("main"), sourceId("dev"));
    node.putAndAwaitSync(TestNode.scope("on-main", url(), "main"));
    node.putAndAwaitSync(TestNode.scope("on-dev", url(), "dev"));
    assertEquals(2, node.stats().getInteger("clone_dirs"));

    node.delete("on-dev");
    assertTrue(
        node.deleted.awaitOne(field("scope_id", "on-dev"), WAIT).getBoolean("purged"),
        "same url, but no scope uses the dev shard's source");
    assertFalse(Files.exists(node.gitSources().resolve(sourceId("dev"))));
    assertTrue(Files.isDirectory(node.gitSources().resolve(sourceId("main"))));
    JsonObject stats = node.stats();
    assertEquals(1, stats.getInteger("clone_dirs"));
    assertEquals(1, stats.getInteger("repos"));
    assertEquals(1, stats.getInteger("last_fetched"));
  }

  @Test
  void aScopeMovedToAnotherRepositoryReleasesTheOldOne() throws Exception {
    node = TestNode.start(dir.resolve("node"));
    node.putAndAwaitSync(TestNode.scope("tenant-a", url()));
    String oldSource = sourceId("main");
    node.putAndAwaitSync(TestNode.scope("tenant-a", policies.fileUrl()));
    assertTrue(node.deleted.awaitOne(field("source_id", oldSource), WAIT).getBoolean("purged"));
    assertFalse(Files.exists(node.gitSources().resolve(oldSource)));
    assertEquals(1, node.stats().getInteger("clone_dirs"));
  }

  @Test
  void theStoreSurvivesARestartAndBootSyncRestoresTheClone() throws Exception {
    node = TestNode.start(dir.resolve("node"));
    node.putAndAwaitSync(TestNode.scope("tenant-a", url()));
    node.close();
    node = null;
    node = TestNode.start(dir.resolve("node"));
    JsonObject scope = new JsonObject(node.request("GET", "/scopes/tenant-a", null).body());
    assertEquals(url(), scope.getJsonObject("policy").getString("url"));
    JsonObject synced = node.synced.awaitOne(field("scope_id", "tenant-a"), WAIT);
    assertEquals("ok", synced.getString("outcome"));
  }

  @Test
  void scopesListedInTheConfigAreCreatedAtBoot() throws Exception {
    node =
        TestNode.start(
            dir.resolve("node"),
            c -> c.put("scopes", new JsonArray().add(TestNode.scope("from-config", url()))));
    assertEquals(200, node.request("GET", "/scopes/from-config", null).statusCode());
    assertEquals(
        "ok", node.synced.awaitOne(field("scope_id", "from-config"), WAIT).getString("outcome"));
  }

  @Test
  void aBranchMissingUpstreamFailsOnlyThatScope() throws Exception {
    node = TestNode.start(dir.resolve("node"));
    JsonObject synced = node.putAndAwaitSync(TestNode.scope("nowhere", url(), "no-such-branch"));
    assertEquals("error", synced.getString("outcome"));
    assertTrue(synced.getString("error").contains("no-such-branch"), synced.encode());
    assertEquals("ok", node.putAndAwaitSync(TestNode.scope("fine", url())).getString("outcome"));
  }

  private JsonObject refreshAndAwait(String scopeId) throws Exception {
    int before = node.synced.matching(field("scope_id", scopeId)).size();
    assertEquals(200, node.request("POST", "/scopes/" + scopeId + "/refresh", null).statusCode());
    JsonObject synced = node.synced.await(field("scope_id", scopeId), before + 1, WAIT).get(before);
    assertEquals("ok", synced.getString("outcome"), synced.encode());
    return synced;
  }

  private static Repository open(Path clone) throws Exception {
    return new FileRepositoryBuilder()
        .setGitDir(clone.resolve(".git").toFile())
        .setMustExist(true)
        .build();
  }
}
