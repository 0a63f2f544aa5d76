package dev.scopesync.fetcher;

import static dev.scopesync.testing.EventLog.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.git.RepositoryHandles;
import dev.scopesync.model.SourceId;
import dev.scopesync.testing.Await;
import dev.scopesync.testing.GitRemote;
import dev.scopesync.testing.SilentServer;
import dev.scopesync.testing.TestNode;
import io.vertx.core.Context;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jgit.internal.storage.file.FileRepository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fetcher's ownership of handles and threads, seen through an opener that records what happens.
 */
class FetcherResourcesTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  private final Set<String> openThreads = ConcurrentHashMap.newKeySet();
  private final AtomicInteger openOnNonWorker = new AtomicInteger();
  private final AtomicInteger opened = new AtomicInteger();
  private final AtomicInteger closed = new AtomicInteger();

  /** Real repositories whose close() fails after really closing, as a broken file system might. */
  private final RepositoryHandles.Opener failingClose =
      cloneDir -> {
        openThreads.add(Thread.currentThread().getName());
        if (!Context.isOnWorkerThread()) {
          openOnNonWorker.incrementAndGet();
        }
        opened.incrementAndGet();
        return new FileRepository(cloneDir.resolve(".git").toFile()) {
          @Override
          public void close() {
            super.close();
            closed.incrementAndGet();
            throw new IllegalStateException("close failed on purpose");
          }
        };
      };

  @Test
  void aCloseThatThrowsStillDropsEverythingAndTheServerCarriesOn() throws Exception {
    try (GitRemote remote = GitRemote.create(Files.createDirectories(dir.resolve("remotes")), "p");
        TestNode node =
            TestNode.start(
                dir.resolve("node"),
                c -> c,
                (config, metrics) ->
                    new FetcherVerticle(config, metrics, Clock.systemUTC(), failingClose))) {
      remote.commit("init", Map.of("a.rego", "package a\n"));
      assertEquals(
          "ok", node.putAndAwaitSync(TestNode.scope("s", remote.fileUrl())).getString("outcome"));
      node.delete("s");
      JsonObject deleted = node.deleted.awaitOne(field("scope_id", "s"), WAIT);
      assertTrue(deleted.getBoolean("purged"), deleted.encode());
      assertEquals(opened.get(), closed.get(), "every opened repository was closed");
      JsonObject stats = node.stats();
      assertEquals(0, stats.getInteger("repos"));
      assertEquals(0, stats.getInteger("last_fetched"));
      assertEquals(0, stats.getInteger("clone_dirs"));
      // The server is still fine: another scope syncs.
      assertEquals(
          "ok", node.putAndAwaitSync(TestNode.scope("t", remote.fileUrl())).getString("outcome"));
    }
  }

  @Test
  void gitWorkRunsOnTheNamedGitPoolNeverOnAnEventLoop() throws Exception {
    try (GitRemote remote = GitRemote.create(Files.createDirectories(dir.resolve("remotes")), "p");
        TestNode node =
            TestNode.start(
                dir.resolve("node"),
                c -> c,
                (config, metrics) ->
                    new FetcherVerticle(config, metrics, Clock.systemUTC(), failingClose))) {
      remote.commit("init", Map.of("a.rego", "package a\n"));
      node.putAndAwaitSync(TestNode.scope("s", remote.fileUrl()));
      assertEquals(0, openOnNonWorker.get());
      assertFalse(openThreads.isEmpty());
      for (String thread : openThreads) {
        assertTrue(thread.startsWith(FetcherVerticle.GIT_POOL), thread);
      }
    }
  }

  @Test
  void shutdownClosesEveryRepository() throws Exception {
    try (GitRemote remote =
        GitRemote.create(Files.createDirectories(dir.resolve("remotes")), "p")) {
      remote.commit("init", Map.of("a.rego", "package a\n"));
      TestNode node =
          TestNode.start(
              dir.resolve("node"),
              c -> c,
              (config, metrics) ->
                  new FetcherVerticle(config, metrics, Clock.systemUTC(), failingClose));
      node.putAndAwaitSync(TestNode.scope("s", remote.fileUrl()));
      assertEquals(1, opened.get() - closed.get(), "one handle cached while running");
      node.close();
      assertEquals(opened.get(), closed.get());
    }
  }

  @Test
  void aDeleteIssuedDuringAFetchWaitsForItAndLeavesNothing() throws Exception {
    try (SilentServer silent = new SilentServer();
        TestNode node =
            TestNode.start(
                dir.resolve("node"),
                c -> {
                  c.getJsonObject("git").put("timeoutSeconds", 2);
                  return c;
                })) {
      String url = silent.httpUrl("hung");
      String sourceId = SourceId.of(url, "main", 1);
      assertEquals(201, node.put(TestNode.scope("h", url)).statusCode());
      Await.until(() -> silent.connections() > 0);
      // The clone is in flight on the silent remote; the delete must queue behind it.
      assertEquals(204, node.delete("h").statusCode());
      assertEquals(1, node.stats().getInteger("source_queues"));
      JsonObject synced = node.synced.awaitOne(field("scope_id", "h"), WAIT);
      JsonObject deleted = node.deleted.awaitOne(field("scope_id", "h"), WAIT);
      assertEquals("error", synced.getString("outcome"));
      assertFalse(deleted.getBoolean("purged"), "the failed clone left nothing to release");
      JsonObject stats = node.stats();
      for (String key : List.of("scopes", "repos", "last_fetched", "source_queues", "clone_dirs")) {
        assertEquals(0, stats.getInteger(key), key + " in " + stats);
      }
      assertFalse(Files.exists(node.gitSources().resolve(sourceId)));
      try (var scratch = Files.list(node.gitSources())) {
        assertEquals(List.of(), scratch.toList(), "no half-made clone is left behind");
      }
    }
  }

  @Test
  void aHungSourceNeverDelaysAHealthyOneAndItsOwnOperationsNeverOverlap() throws Exception {
    try (SilentServer silent = new SilentServer();
        GitRemote remote = GitRemote.create(Files.createDirectories(dir.resolve("remotes")), "p");
        TestNode node =
            TestNode.start(
                dir.resolve("node"),
                c -> {
                  c.getJsonObject("git").put("timeoutSeconds", 5).put("workerPoolSize", 2);
                  return c;
                })) {
      remote.commit("init", Map.of("a.rego", "package a\n"));
      String hung = silent.httpUrl("hung");
      node.put(TestNode.scope("h1", hung));
      node.put(TestNode.scope("h2", hung));
      Await.until(() -> silent.connections() == 1);
      // The healthy source syncs while h1 hangs (and h2 waits behind it).
      assertEquals(
          "ok",
          node.putAndAwaitSync(TestNode.scope("fine", remote.fileUrl())).getString("outcome"));
      assertTrue(node.synced.matching(field("scope_id", "h1")).isEmpty(), "h1 is still hanging");
      assertEquals(1, silent.connections(), "h2 has not touched the source while h1 holds it");
      node.synced.awaitOne(field("scope_id", "h1"), WAIT);
      node.synced.awaitOne(field("scope_id", "h2"), WAIT);
      assertEquals(2, silent.connections(), "h2 ran after h1, never beside it");
    }
  }
}
