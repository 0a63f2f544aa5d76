package dev.scopesync.bench;

import dev.scopesync.model.SourceId;
import dev.scopesync.shard.Placement;
import dev.scopesync.testing.ClusterFixture;
import dev.scopesync.testing.GitDaemon;
import dev.scopesync.testing.GitRemote;
import dev.scopesync.testing.RedisServer;
import dev.scopesync.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * Sharded fetchers on three local nodes (real Hazelcast on loopback, redis-server, git daemon), for
 * R = 1 and 2: fetches per push, clone bytes per node, bundle latency and throughput from an owner
 * and from a non-owner (10 KB and 100 KB JSON bundles), and the time from a crash of a node (its
 * Hazelcast member terminated, then its sockets dropped) to its scopes being served again.
 */
public final class ShardBench {
  private static final int SOURCES = 12;
  private static final Duration WARM_UP = Duration.ofSeconds(3);
  private static final Duration WINDOW = Duration.ofSeconds(6);
  private static final String FETCHES =
      "scopesync_git_operations_total{op=\"fetch\",outcome=\"ok\"}";

  public static void main(String[] args) throws Exception {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    System.out.println(
        "| R | fetches per push | clone MB per node | bundle | owner p50 / p99 ms | non-owner p50 /"
            + " p99 ms | owner req/s | non-owner req/s (ratio) |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    List<String> crashes = new ArrayList<>();
    for (int r : new int[] {1, 2}) {
      crashes.add(run(r, requests));
    }
    System.out.println();
    System.out.println(
        "| R | crash → every scope of the dead node served again | failed requests meanwhile |");
    System.out.println("|---|---|---|");
    crashes.forEach(System.out::println);
  }

  private static String run(int r, int requests) throws Exception {
    Path dir = Files.createTempDirectory("scopesync-shard-bench");
    Path remotes = Files.createDirectories(dir.resolve("remotes"));
    List<GitRemote> repos = new ArrayList<>();
    List<TestNode> nodes = new ArrayList<>();
    try (RedisServer redis = RedisServer.launch()) {
      for (int i = 0; i < SOURCES; i++) {
        GitRemote repo = GitRemote.create(remotes, "repo" + i);
        int kb = i % 2 == 0 ? 10 : 100;
        repo.commit("init", Map.of("app/rbac.rego", rego(kb, i)));
        repos.add(repo);
      }
      try (GitDaemon daemon = GitDaemon.start(remotes)) {
        ClusterFixture cluster = new ClusterFixture(dir);
        UnaryOperator<JsonObject> base = cluster.node(redis.url());
        for (String name : List.of("node-a", "node-b", "node-c")) {
          nodes.add(TestNode.start(dir.resolve(name), sharded(base, name, r)));
        }
        until(() -> nodes.stream().allMatch(n -> stat(n, "shard_members") == 3));
        Map<String, String> sourceOf = new HashMap<>();
        for (int i = 0; i < SOURCES; i++) {
          String url = daemon.url("repo" + i);
          nodes.get(i % 3).put(TestNode.scope("s" + i, url));
          sourceOf.put("s" + i, SourceId.of(url, "main", 1));
        }
        until(
            () ->
                nodes.stream().mapToInt(n -> stat(n, "clone_dirs")).sum() == SOURCES * r
                    && nodes.stream().allMatch(n -> stat(n, "acquiring_sources") == 0));
        quiet(nodes);

        double before = sum(nodes, FETCHES);
        repos.get(0).commit("change", Map.of("app/rbac.rego", rego(10, 99)));
        nodes
            .get(2)
            .request(
                "POST",
                "/webhook",
                new JsonObject()
                    .put("ref", "refs/heads/main")
                    .put(
                        "repository",
                        new JsonObject().put("clone_url", "https://127.0.0.1/repo0.git"))
                    .encode(),
                Map.of("X-GitHub-Event", "push"));
        until(() -> sum(nodes, FETCHES) - before >= r);
        quiet(nodes);
        double fetches = sum(nodes, FETCHES) - before;
        double mb = 0;
        for (TestNode node : nodes) {
          mb = Math.max(mb, bytes(node.gitSources()) / 1e6);
        }

        Placement placement = nodes.get(0).fetcher.members().placement();
        for (String scopeId : List.of("s0", "s1")) {
          String owner = placement.primary(sourceOf.get(scopeId)).name();
          TestNode ownerNode = named(nodes, owner);
          TestNode other =
              nodes.stream()
                  .filter(
                      n ->
                          placement.owners(sourceOf.get(scopeId), r).stream()
                              .noneMatch(m -> m.name().equals(n.config.shard().nodeName())))
                  .findFirst()
                  .orElse(null);
          String path = "/scopes/" + scopeId + "/policy";
          double[] own = latencies(ownerNode, path, requests);
          double[] far = other == null ? null : latencies(other, path, requests);
          // A warm-up turn each first: the non-owner's path has more code for the JIT to compile,
          // and a cold 3 s window measured that rather than the path.
          throughput(ownerNode, path, 16, WARM_UP);
          double ownRate = throughput(ownerNode, path, 16, WINDOW);
          double farRate = 0;
          if (other != null) {
            throughput(other, path, 16, WARM_UP);
            farRate = throughput(other, path, 16, WINDOW);
          }
          System.out.printf(
              "| %d | %.0f | %.2f | %s | %.3f / %.3f | %s | %.0f | %s |%n",
              r,
              fetches,
              mb,
              scopeId.equals("s0") ? "10 KB" : "100 KB",
              pct(own, 50),
              pct(own, 99),
              far == null
                  ? "– (every node owns it)"
                  : String.format("%.3f / %.3f", pct(far, 50), pct(far, 99)),
              ownRate,
              other == null ? "–" : String.format("%.0f (%.2f×)", farRate, farRate / ownRate));
        }

        // Crash node-c (not the Hazelcast master: in one JVM a terminated master is not dropped
        // by the others for minutes; ShardKillIT kills a master process with SIGKILL): how long
        // until its scopes are served by both survivors.
        String victimName = "node-c";
        TestNode victim = named(nodes, victimName);
        List<String> orphaned = new ArrayList<>();
        for (Map.Entry<String, String> e : sourceOf.entrySet()) {
          if (placement.owners(e.getValue(), r).stream()
              .anyMatch(m -> m.name().equals(victimName))) {
            orphaned.add(e.getKey());
          }
        }
        nodes.remove(victim);
        AtomicLong failed = new AtomicLong();
        long t0 = System.nanoTime();
        victim.crash();
        until(
            () -> {
              boolean all = true;
              for (TestNode node : nodes) {
                for (String scopeId : orphaned) {
                  if (status(node, "/scopes/" + scopeId + "/policy") != 200) {
                    failed.incrementAndGet();
                    all = false;
                  }
                }
              }
              return all;
            });
        double seconds = (System.nanoTime() - t0) / 1e9;
        return String.format(
            "| %d | %.1f s (%d scopes) | %d |", r, seconds, orphaned.size(), failed.get());
      }
    } finally {
      for (TestNode node : nodes) {
        node.close();
      }
      for (GitRemote repo : repos) {
        repo.close();
      }
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static String rego(int kb, int seed) {
    StringBuilder text = new StringBuilder("package app.rbac\n");
    int i = 0;
    while (text.length() < kb * 1024) {
      text.append("allow_")
          .append(seed)
          .append('_')
          .append(i++)
          .append(" { input.user == \"u")
          .append(i)
          .append("\" }\n");
    }
    return text.toString();
  }

  private static UnaryOperator<JsonObject> sharded(
      UnaryOperator<JsonObject> base, String name, int replicas) {
    return c -> {
      JsonObject json = base.apply(c);
      json.getJsonObject("cluster")
          .put("nodeName", name)
          .put("replicas", replicas)
          .put("settleMillis", 300);
      return json;
    };
  }

  private static double[] latencies(TestNode node, String path, int n) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    URI uri = URI.create("http://127.0.0.1:" + node.server.httpPort() + path);
    double[] ms = new double[n];
    for (int i = -200; i < n; i++) {
      long t0 = System.nanoTime();
      HttpResponse<byte[]> got =
          http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
      if (got.statusCode() != 200) {
        throw new IllegalStateException(path + ": " + got.statusCode());
      }
      if (i >= 0) {
        ms[i] = (System.nanoTime() - t0) / 1e6;
      }
    }
    Arrays.sort(ms);
    return ms;
  }

  private static double throughput(TestNode node, String path, int threads, Duration length)
      throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    URI uri = URI.create("http://127.0.0.1:" + node.server.httpPort() + path);
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong done = new AtomicLong();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread worker =
          new Thread(
              () -> {
                while (running.get()) {
                  try {
                    http.send(
                        HttpRequest.newBuilder(uri).build(),
                        HttpResponse.BodyHandlers.discarding());
                    done.incrementAndGet();
                  } catch (Exception e) {
                    return;
                  }
                }
              });
      worker.start();
      workers.add(worker);
    }
    long t0 = System.nanoTime();
    Thread.sleep(length.toMillis()); // the measuring window of a benchmark
    running.set(false);
    long count = done.get();
    double seconds = (System.nanoTime() - t0) / 1e9;
    for (Thread worker : workers) {
      worker.join();
    }
    return count / seconds;
  }

  private static double pct(double[] sorted, int p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
  }

  private static TestNode named(List<TestNode> nodes, String name) {
    return nodes.stream()
        .filter(n -> n.config.shard().nodeName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static long bytes(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return 0;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  private static void quiet(List<TestNode> nodes) throws Exception {
    until(() -> nodes.stream().allMatch(n -> stat(n, "source_queues") == 0));
  }

  private static void until(BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("condition not met within 120 s");
      }
      Thread.sleep(20); // a poll with a deadline
    }
  }

  private static int status(TestNode node, String path) {
    try {
      return node.request("GET", path, null).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  private static int stat(TestNode node, String key) {
    try {
      return node.stats().getInteger(key);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static double sum(List<TestNode> nodes, String series) {
    double total = 0;
    for (TestNode node : nodes) {
      total += node.metric(series);
    }
    return total;
  }
}
