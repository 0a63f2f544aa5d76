package dev.scopesync;

import static dev.scopesync.testing.EventLog.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.model.SourceId;
import dev.scopesync.testing.Await;
import dev.scopesync.testing.GitRemote;
import dev.scopesync.testing.SilentServer;
import dev.scopesync.testing.TestNode;
import dev.scopesync.testing.TricklingServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hung remotes, crash leftovers, broken clones and many sources: the server shrugs them off. */
class ResilienceTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void hungRemotesOnFewerThreadsThanRemotesStopNothingElseAndLeaveNothingBehind() throws Exception {
    List<SilentServer> silent = new ArrayList<>();
    try (GitRemote healthy =
            GitRemote.create(Files.createDirectories(dir.resolve("remotes")), "healthy");
        TestNode node =
            TestNode.start(
                dir.resolve("node"),
                c -> {
                  c.getJsonObject("git").put("workerPoolSize", 2).put("timeoutSeconds", 3);
                  return c;
                })) {
      healthy.commit("init", Map.of("a.rego", "package a\n"));
      HttpClient quick = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      quick.send(
          HttpRequest.newBuilder(
                  URI.create("http://127.0.0.1:" + node.server.httpPort() + "/healthz"))
              .build(),
          HttpResponse.BodyHandlers.ofString());
      int baselineFds = node.stats().getInteger("open_fds");
      for (int i = 0; i < 3; i++) {
        SilentServer s = new SilentServer();
        silent.add(s);
        // git:// is the transport whose reads JGit alone never times out.
        node.put(TestNode.scope("hung-" + i, "git://127.0.0.1:" + s.port() + "/r.git"));
      }
      node.put(TestNode.scope("healthy", healthy.fileUrl()));
      Await.until(() -> silent.stream().filter(s -> s.connections() > 0).count() == 2);

      // Both git threads are stuck on silent remotes; the API still answers at once.
      for (String path : List.of("/scopes", "/healthz", "/ready", "/scopes/healthy")) {
        HttpResponse<String> r =
            quick.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + node.server.httpPort() + path))
                    .timeout(Duration.ofSeconds(1))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path);
      }

      assertEquals(
          "ok", node.synced.awaitOne(field("scope_id", "healthy"), WAIT).getString("outcome"));
      for (int i = 0; i < 3; i++) {
        JsonObject failed = node.synced.awaitOne(field("scope_id", "hung-" + i), WAIT);
        assertEquals("error", failed.getString("outcome"));
        assertTrue(failed.getString("error").contains("timeout"), failed.getString("error"));
      }
      for (String id : List.of("hung-0", "hung-1", "hung-2", "healthy")) {
        node.delete(id);
      }
      node.deleted.await(e -> true, 4, WAIT);
      for (SilentServer s : silent) {
        s.close(); // the test's own sockets are not the server's
      }
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
      assertTrue(
          stats.getInteger("open_fds") <= baselineFds + 4,
          "fds " + stats.getInteger("open_fds") + " vs baseline " + baselineFds);
    } finally {
      for (SilentServer s : silent) {
        s.close();
      }
    }
  }

  @Test
  void aRemoteThatTricklesBytesIsStoppedByTheDeadlineOfTheWholeOperation() throws Exception {
    try (TricklingServer trickling = new TricklingServer();
        TestNode node =
            TestNode.start(
                dir.resolve("node"),
                c -> {
                  c.getJsonObject("git").put("timeoutSeconds", 2);
                  return c;
                })) {
      node.put(TestNode.scope("slow", trickling.gitUrl("r")));
      JsonObject failed = node.synced.awaitOne(field("scope_id", "slow"), WAIT);
      assertEquals("error", failed.getString("outcome"));
      assertTrue(failed.getString("error").contains("timeout"), failed.getString("error"));
      Await.until(() -> trickling.droppedByClient() == 1);
      try (var left = Files.list(node.gitSources())) {
        assertEquals(List.of(), left.toList(), "the failed clone left nothing");
      }
    }
  }

  @Test
  void shutdownCompletesWhileAFetchHangs() throws Exception {
    try (SilentServer silent = new SilentServer()) {
      TestNode node =
          TestNode.start(
              dir.resolve("node"),
              c -> {
                c.getJsonObject("git").put("timeoutSeconds", 600);
                return c;
              });
      node.put(TestNode.scope("hung", "git://127.0.0.1:" + silent.port() + "/r.git"));
      Await.until(() -> silent.connections() > 0);
      CompletableFuture<Void> closed =
          CompletableFuture.runAsync(
              () -> {
                try {
                  node.close();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      // Bounded by the fetcher's shutdown grace, not by the 600 s git timeout.
      closed.get(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void startSweepsCrashLeftoversAndUnusedClonesButReusesValidOnes() throws Exception {
    try (GitRemote remote =
        GitRemote.create(Files.createDirectories(dir.resolve("remotes")), "p")) {
      remote.commit("init", Map.of("a.rego", "package a\n"));
      Path sources;
      String used;
      try (TestNode node = TestNode.start(dir.resolve("node"))) {
        node.putAndAwaitSync(TestNode.scope("s", remote.fileUrl()));
        sources = node.gitSources();
        used = SourceId.of(remote.fileUrl(), "main", 1);
      }
      // What a crash mid-clone, a delete while down and an operator's notes leave behind.
      Path scratch = Files.createDirectories(sources.resolve(".clone-0123456789ab-42/.git"));
      Files.writeString(scratch.resolve("HEAD"), "half");
      String unusedId = SourceId.of("https://gone.example/x.git", "main", 1);
      Files.createDirectories(sources.resolve(unusedId).resolve(".git"));
      Path notes = Files.createDirectories(sources.resolve("notes"));

      try (TestNode node = TestNode.start(dir.resolve("node"))) {
        JsonObject synced = node.synced.awaitOne(field("scope_id", "s"), WAIT);
        assertEquals("ok", synced.getString("outcome"));
        assertFalse(synced.getBoolean("cloned"), "the valid clone is reused");
        assertFalse(Files.exists(sources.resolve(".clone-0123456789ab-42")));
        assertFalse(Files.exists(sources.resolve(unusedId)));
        assertTrue(Files.isDirectory(notes), "only source-id-shaped directories are swept");
        assertTrue(Files.isDirectory(sources.resolve(used)));
      }
    }
  }

  @Test
  void aCloneThatIsNotARepositoryOrNamesAnotherRemoteIsReplaced() throws Exception {
    try (GitRemote remote =
        GitRemote.create(Files.createDirectories(dir.resolve("remotes")), "p")) {
      String commit = remote.commit("init", Map.of("a.rego", "package a\n"));
      Path clone;
      try (TestNode node = TestNode.start(dir.resolve("node"))) {
        node.putAndAwaitSync(TestNode.scope("s", remote.fileUrl()));
        clone = node.gitSources().resolve(SourceId.of(remote.fileUrl(), "main", 1));
      }
      // Another remote in the clone's config: not ours, replace it.
      try (var repo =
          new FileRepositoryBuilder().setGitDir(clone.resolve(".git").toFile()).build()) {
        StoredConfig config = repo.getConfig();
        config.setString("remote", "origin", "url", "https://elsewhere.example/other.git");
        config.save();
      }
      try (TestNode node = TestNode.start(dir.resolve("node"))) {
        JsonObject synced = node.synced.awaitOne(field("scope_id", "s"), WAIT);
        assertTrue(synced.getBoolean("cloned"), synced.encode());
        assertEquals(commit, synced.getString("commit"));
      }
      // Not a repository at all.
      CloneDirectoriesHelper.replaceWithJunk(clone);
      try (TestNode node = TestNode.start(dir.resolve("node"))) {
        JsonObject synced = node.synced.awaitOne(field("scope_id", "s"), WAIT);
        assertTrue(synced.getBoolean("cloned"), synced.encode());
        assertEquals("ok", synced.getString("outcome"));
      }
    }
  }

  @Test
  void openHandlesStayBoundedWhileEveryScopeServesItsOwnBundle() throws Exception {
    Path remotes = Files.createDirectories(dir.resolve("remotes"));
    List<GitRemote> repos = new ArrayList<>();
    try (TestNode node =
        TestNode.start(
            dir.resolve("node"),
            c -> {
              c.getJsonObject("git").put("maxOpenRepositories", 2);
              return c;
            })) {
      int baselineFds = node.stats().getInteger("open_fds");
      List<String> commits = new ArrayList<>();
      for (int r = 0; r < 6; r++) {
        GitRemote remote = GitRemote.create(remotes, "r" + r);
        repos.add(remote);
        commits.add(remote.commit("init", Map.of("p.rego", "package p" + r + "\n")));
        node.putAndAwaitSync(TestNode.scope("s" + r, remote.fileUrl()));
        assertTrue(node.stats().getInteger("repos") <= 2);
      }
      for (int round = 0; round < 2; round++) {
        for (int r = 0; r < 6; r++) {
          HttpResponse<String> bundle = node.request("GET", "/scopes/s" + r + "/policy", null);
          assertEquals(200, bundle.statusCode());
          JsonObject json = new JsonObject(bundle.body());
          assertEquals(commits.get(r), json.getString("hash"));
          assertEquals(
              "p" + r,
              json.getJsonArray("policy_modules").getJsonObject(0).getString("package_name"));
          assertTrue(node.stats().getInteger("repos") <= 2);
        }
      }
      assertEquals(6, node.stats().getInteger("clone_dirs"));
      assertTrue(
          node.stats().getInteger("open_fds") <= baselineFds + 8,
          "fds " + node.stats().getInteger("open_fds") + " vs baseline " + baselineFds);
    } finally {
      repos.forEach(GitRemote::close);
    }
  }

  /** Makes a clone directory hold something that is not a repository. */
  private static final class CloneDirectoriesHelper {
    static void replaceWithJunk(Path clone) throws Exception {
      try (var walk = Files.walk(clone)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
      Files.createDirectories(clone);
      Files.writeString(clone.resolve("README"), "not a repository");
    }
  }
}
