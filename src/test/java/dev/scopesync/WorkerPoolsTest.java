package dev.scopesync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.fetcher.FetcherVerticle;
import dev.scopesync.runtime.ElasticThreadPool;
import dev.scopesync.testing.Await;
import dev.scopesync.testing.GitRemote;
import dev.scopesync.testing.TestNode;
import io.vertx.core.json.JsonArray;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's worker pools start empty, grow with a burst of git and bundle work, and give their
 * threads back once idle (DESIGN §14). Idle threads end after 0.3 s here ({@code
 * -Dscopesync.idleThreadSeconds}), 30 s by default.
 */
class WorkerPoolsTest {
  /** Pools whose threads must all end once the node is idle. */
  private static final List<String> POOLS =
      List.of(
          FetcherVerticle.GIT_POOL + "-",
          FetcherVerticle.BUNDLE_POOL + "-",
          "vert.x-worker-thread-",
          "vert.x-internal-blocking-");

  private static final int SCOPES = 12;

  @TempDir Path dir;
  private String keepAliveBefore;

  @BeforeEach
  void shortKeepAlive() {
    keepAliveBefore = System.getProperty(ElasticThreadPool.IDLE_SECONDS_PROPERTY);
    System.setProperty(ElasticThreadPool.IDLE_SECONDS_PROPERTY, "0.3");
  }

  @AfterEach
  void restoreKeepAlive() {
    if (keepAliveBefore == null) {
      System.clearProperty(ElasticThreadPool.IDLE_SECONDS_PROPERTY);
    } else {
      System.setProperty(ElasticThreadPool.IDLE_SECONDS_PROPERTY, keepAliveBefore);
    }
  }

  @Test
  void poolsGrowWithABurstOfSyncsAndShrinkToNothingWhenIdle() throws Exception {
    JsonArray scopes = new JsonArray();
    for (int i = 0; i < SCOPES; i++) {
      try (GitRemote remote = GitRemote.create(dir.resolve("remotes"), "r" + i)) {
        remote.commit(
            "init",
            Map.of("p/p.rego", "package p" + i + "\n", "p/data.json", "{\"n\": " + i + "}"));
        scopes.add(TestNode.scope("s" + i, remote.fileUrl()));
      }
    }
    Set<String> gitThreadsSeen = ConcurrentHashMap.newKeySet();
    AtomicInteger peakGitThreads = new AtomicInteger();
    AtomicBoolean watching = new AtomicBoolean(true);
    Thread watcher =
        new Thread(
            () -> {
              while (watching.get()) {
                List<String> git = live(FetcherVerticle.GIT_POOL + "-");
                gitThreadsSeen.addAll(git);
                peakGitThreads.accumulateAndGet(git.size(), Math::max);
                try {
                  Thread.sleep(1);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "pool-watcher");
    watcher.start();
    try (TestNode node = TestNode.start(dir.resolve("node"), c -> c.put("scopes", scopes))) {
      node.synced.await(e -> "ok".equals(e.getString("outcome")), SCOPES, Duration.ofMinutes(1));
      for (int i = 0; i < SCOPES; i++) {
        assertEquals(200, node.request("GET", "/scopes/s" + i + "/policy", null).statusCode());
      }
      watching.set(false);
      watcher.join();

      assertTrue(peakGitThreads.get() >= 2, "the git pool grew with the burst: " + gitThreadsSeen);
      assertTrue(
          peakGitThreads.get() <= node.config.gitWorkerPoolSize(),
          "never beyond git.workerPoolSize: " + peakGitThreads.get());
      for (String pool : POOLS) {
        Await.until(() -> live(pool).isEmpty(), Duration.ofSeconds(20));
      }
      // The node still works: a new scope grows the pools again.
      try (GitRemote remote = GitRemote.create(dir.resolve("remotes"), "late")) {
        remote.commit("init", Map.of("late.rego", "package late\n"));
        assertEquals(201, node.put(TestNode.scope("late", remote.fileUrl())).statusCode());
      }
      node.synced.await(e -> "late".equals(e.getString("scope_id")), 1, Duration.ofMinutes(1));
      assertEquals(200, node.request("GET", "/scopes/late/policy", null).statusCode());
      Await.until(() -> live(FetcherVerticle.GIT_POOL + "-").isEmpty(), Duration.ofSeconds(20));
    } finally {
      watching.set(false);
      watcher.join();
    }
  }

  /** Live threads named {@code prefix<number>}. */
  private static List<String> live(String prefix) {
    ThreadGroup root = Thread.currentThread().getThreadGroup();
    while (root.getParent() != null) {
      root = root.getParent();
    }
    Thread[] threads = new Thread[root.activeCount() * 2 + 16];
    int count = root.enumerate(threads, true);
    List<String> names = new ArrayList<>();
    for (Thread thread : java.util.Arrays.copyOf(threads, count)) {
      String name = thread.getName();
      if (thread.isAlive()
          && name.startsWith(prefix)
          && name.substring(prefix.length()).matches("[0-9]+")) {
        names.add(name);
      }
    }
    return names;
  }
}
