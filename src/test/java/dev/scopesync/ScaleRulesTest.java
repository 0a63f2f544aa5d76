package dev.scopesync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.model.SourceId;
import dev.scopesync.testing.Await;
import dev.scopesync.testing.GitRemote;
import dev.scopesync.testing.RedisServer;
import dev.scopesync.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN §13 over real HTTP: the scope list streamed and paged, and a Redis store's scopes written
 * or deleted behind the node's back (by OPAL, by hand) appearing and disappearing within {@code
 * store.reconcileSeconds}, with their clones synced and purged.
 */
class ScaleRulesTest {
  @TempDir Path dir;

  @Test
  void theScopeListIsStreamedWholeAndPagedWithALinkToTheNext() throws Exception {
    try (TestNode node = TestNode.start(dir)) {
      int count = 2_345; // more than two stream pages
      java.util.concurrent.ExecutorService puts =
          java.util.concurrent.Executors.newFixedThreadPool(16);
      try {
        List<java.util.concurrent.Future<Integer>> statuses = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
          JsonObject scope = TestNode.scope(String.format("s%05d", i), "https://127.0.0.1:1/r.git");
          statuses.add(puts.submit(() -> node.put(scope).statusCode()));
        }
        for (java.util.concurrent.Future<Integer> status : statuses) {
          assertEquals(201, status.get());
        }
      } finally {
        puts.shutdown();
      }
      JsonArray all = new JsonArray(node.request("GET", "/scopes", null).body());
      assertEquals(count, all.size());
      Set<String> ids = new HashSet<>();
      all.forEach(s -> ids.add(((JsonObject) s).getString("scope_id")));
      assertEquals(count, ids.size(), "each scope once");

      HttpResponse<String> first = node.request("GET", "/scopes?limit=1000", null);
      assertEquals(1000, new JsonArray(first.body()).size());
      assertEquals(
          "</scopes?limit=1000&after=s00999>; rel=\"next\"",
          first.headers().firstValue("Link").orElse(null));
      HttpResponse<String> last = node.request("GET", "/scopes?limit=1000&after=s01999", null);
      JsonArray lastPage = new JsonArray(last.body());
      assertEquals(345, lastPage.size());
      assertEquals("s02000", lastPage.getJsonObject(0).getString("scope_id"));
      assertFalse(last.headers().firstValue("Link").isPresent(), "no next page after the last");
      assertEquals(422, node.request("GET", "/scopes?limit=0", null).statusCode());
      assertEquals(422, node.request("GET", "/scopes?limit=x", null).statusCode());
      assertEquals(count, node.stats().getInteger("scopes"));
    }
  }

  @Test
  void scopesWrittenOrDeletedInRedisByOthersAppearAndDisappearWithinTheReconcilePeriod()
      throws Exception {
    try (RedisServer redis = RedisServer.launch();
        GitRemote remote =
            GitRemote.create(Files.createDirectories(dir.resolve("remotes")), "policies")) {
      String commit = remote.commit("init", Map.of("a.rego", "package a\n"));
      try (TestNode node =
          TestNode.start(
              dir.resolve("node"),
              c -> {
                c.getJsonObject("store")
                    .put("type", "redis")
                    .put("redisUrl", redis.url())
                    .put("reconcileSeconds", 1);
                return c;
              })) {
        JsonObject scope = TestNode.scope("from-opal", remote.fileUrl());
        Redis client = Redis.createClient(node.vertx, redis.url());
        try {
          // OPAL's own key schema, written behind scopesync's back.
          client
              .send(Request.cmd(Command.SET).arg("permit.io/Scope:from-opal").arg(scope.encode()))
              .await(10, TimeUnit.SECONDS);
          JsonObject synced =
              node.synced.awaitOne(
                  e -> "from-opal".equals(e.getString("scope_id")),
                  java.time.Duration.ofSeconds(30));
          assertEquals("ok", synced.getString("outcome"));
          assertEquals(commit, synced.getString("commit"));
          assertEquals(200, node.request("GET", "/scopes/from-opal", null).statusCode());
          String sourceId = SourceId.of(remote.fileUrl(), "main", 1);
          assertTrue(Files.isDirectory(node.gitSources().resolve(sourceId)));

          client
              .send(Request.cmd(Command.DEL).arg("permit.io/Scope:from-opal"))
              .await(10, TimeUnit.SECONDS);
          node.deleted.awaitOne(
              e -> "from-opal".equals(e.getString("scope_id")), java.time.Duration.ofSeconds(30));
          Await.until(() -> !Files.exists(node.gitSources().resolve(sourceId)));
          assertEquals(404, node.request("GET", "/scopes/from-opal", null).statusCode());
          JsonObject stats = node.stats();
          assertEquals(0, stats.getInteger("scopes"));
          assertEquals(0, stats.getInteger("clone_dirs"));
          assertEquals(0, stats.getInteger("repos"));
        } finally {
          client.close();
        }
      }
    }
  }
}
