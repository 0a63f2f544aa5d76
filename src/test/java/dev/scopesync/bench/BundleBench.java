package dev.scopesync.bench;

import dev.scopesync.bundle.BundleFilter;
import dev.scopesync.bundle.BundleMaker;
import dev.scopesync.bus.Addresses;
import dev.scopesync.testing.GitRemote;
import dev.scopesync.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Bundle figures for a repository of 1,000 rego files (issue: policy bundles): full and diff build
 * times beside the time JGit alone takes to read the same blobs, and cached bundle requests per
 * second over HTTP beside /healthz on the same server. Prints a Markdown table. Run with
 * scripts/bench.sh bundles.
 */
public final class BundleBench {
  private static final int FILES = 1000;
  private static final int ROUNDS = 15;

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("scopesync-bench");
    try {
      run(dir, args.length > 0 ? Integer.parseInt(args[0]) : 5);
    } finally {
      try (var walk = Files.walk(dir)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void run(Path dir, int httpSeconds) throws Exception {
    Path remotes = Files.createDirectories(dir.resolve("remotes"));
    String base;
    String head;
    try (GitRemote remote = GitRemote.create(remotes, "big")) {
      Map<String, String> files = new HashMap<>();
      for (int i = 0; i < FILES; i++) {
        String pkg = "dir" + (i / 50) + ".p" + i;
        files.put(
            "dir" + (i / 50) + "/p" + i + ".rego",
            "package "
                + pkg
                + "\n\ndefault allow = false\n\nallow {\n  input.user == \"u"
                + i
                + "\"\n}\n"
                + "# padding ".repeat(20)
                + "\n");
      }
      for (int d = 0; d < FILES / 50; d++) {
        files.put("dir" + d + "/data.json", "{\"dir\": " + d + "}");
      }
      base = remote.commit("many", files);
      head =
          remote.commit(
              "one change",
              Map.of("dir3/p170.rego", "package dir3.p170\n\ndefault allow = true\n"));
    }
    System.out.println(
        "| measurement (1,000 rego files, 20 data.json) | median | JGit alone | ratio |");
    System.out.println("|---|---|---|---|");
    try (Repository repo =
        new FileRepositoryBuilder()
            .setGitDir(remotes.resolve("big.git").toFile())
            .setMustExist(true)
            .build()) {
      ObjectId headId = ObjectId.fromString(head);
      ObjectId baseId = ObjectId.fromString(base);
      BundleMaker maker = new BundleMaker(repo, BundleFilter.defaults());
      double jgitAll = median(() -> readAllBlobs(repo, headId));
      double full = median(() -> maker.full(headId).toJson().length);
      double jgitOne = median(() -> readChangedBlobs(repo, baseId, headId));
      double diff = median(() -> maker.diff(baseId, headId).toJson().length);
      row("full bundle build (+ JSON)", full, jgitAll);
      row("diff bundle build, one file changed (+ JSON)", diff, jgitOne);
    }
    httpRates(dir, remotes, httpSeconds);
  }

  private static void row(String what, double ms, double jgitMs) {
    System.out.printf("| %s | %.1f ms | %.1f ms | %.1fx |%n", what, ms, jgitMs, ms / jgitMs);
  }

  /** JGit alone: walk the tree and read every .rego and data.json blob. */
  private static long readAllBlobs(Repository repo, ObjectId commit) throws Exception {
    long bytes = 0;
    try (RevWalk walk = new RevWalk(repo);
        TreeWalk tree = new TreeWalk(repo);
        ObjectReader reader = repo.newObjectReader()) {
      tree.addTree(walk.parseCommit(commit).getTree());
      tree.setRecursive(true);
      while (tree.next()) {
        String path = tree.getPathString();
        if (path.endsWith(".rego") || path.endsWith("data.json")) {
          bytes += reader.open(tree.getObjectId(0)).getBytes().length;
        }
      }
    }
    return bytes;
  }

  /** JGit alone for a diff: walk both trees and read the blobs that differ. */
  private static long readChangedBlobs(Repository repo, ObjectId base, ObjectId head)
      throws Exception {
    long bytes = 0;
    try (RevWalk walk = new RevWalk(repo);
        TreeWalk tree = new TreeWalk(repo);
        ObjectReader reader = repo.newObjectReader()) {
      tree.addTree(walk.parseCommit(base).getTree());
      tree.addTree(walk.parseCommit(head).getTree());
      tree.setRecursive(true);
      tree.setFilter(org.eclipse.jgit.treewalk.filter.TreeFilter.ANY_DIFF);
      while (tree.next()) {
        if (!tree.getObjectId(1).equals(ObjectId.zeroId())) {
          bytes += reader.open(tree.getObjectId(1)).getBytes().length;
        }
      }
    }
    return bytes;
  }

  interface Work {
    Object run() throws Exception;
  }

  private static double median(Work work) throws Exception {
    for (int i = 0; i < 5; i++) {
      work.run(); // warm-up
    }
    double[] ms = new double[ROUNDS];
    for (int i = 0; i < ROUNDS; i++) {
      long t0 = System.nanoTime();
      work.run();
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(ms);
    return ms[ROUNDS / 2];
  }

  private static void httpRates(Path dir, Path remotes, int seconds) throws Exception {
    String url = "file://" + remotes.resolve("big.git").toAbsolutePath();
    String key = rsaPem();
    try (TestNode node = TestNode.start(dir.resolve("node"));
        TestNode signing =
            TestNode.start(
                dir.resolve("signing-node"),
                c -> {
                  c.getJsonObject("bundles").put("signingKey", key);
                  return c;
                })) {
      node.putAndAwaitSync(TestNode.scope("bench", url));
      signing.putAndAwaitSync(TestNode.scope("bench", url));
      Vertx client = Vertx.vertx();
      try {
        List<HttpClient> http = lanes(client, node.server.httpPort());
        List<HttpClient> signed = lanes(client, signing.server.httpPort());
        Load health = rate(http, "/healthz", seconds);
        Load cached = rate(http, "/scopes/bench/policy", seconds);
        // Unsigned and signed OPA bundles measured in turns, three each, on two nodes alive at
        // once: the medians compare them under the same load and warmth.
        List<Load> tars = new ArrayList<>();
        List<Load> signedTars = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
          tars.add(rate(http, "/scopes/bench/bundle.tar.gz", seconds));
          signedTars.add(rate(signed, "/scopes/bench/bundle.tar.gz", seconds));
        }
        Load tar = median(tars);
        Load signedTar = median(signedTars);
        int tarBytes = bodySize(http.get(0), "/scopes/bench/bundle.tar.gz");
        int signedBytes = bodySize(signed.get(0), "/scopes/bench/bundle.tar.gz");
        System.out.printf(
            "| cached full bundle over HTTP (16 connections) | %.0f req/s, p99 %.1f ms | /healthz: %.0f req/s, p99 %.1f ms | %.2fx |%n",
            cached.perSecond(),
            cached.p99Millis(),
            health.perSecond(),
            health.p99Millis(),
            cached.perSecond() / health.perSecond());
        System.out.printf(
            "| cached OPA bundle.tar.gz over HTTP (median of 3) | %.0f req/s, p99 %.1f ms | /healthz: %.0f req/s, p99 %.1f ms | %.2fx |%n",
            tar.perSecond(),
            tar.p99Millis(),
            health.perSecond(),
            health.p99Millis(),
            tar.perSecond() / health.perSecond());
        System.out.printf(
            "| cached signed OPA bundle.tar.gz (RS256, median of 3) | %.0f req/s, p99 %.1f ms | unsigned: %.0f req/s, p99 %.1f ms | %.2fx |%n",
            signedTar.perSecond(),
            signedTar.p99Millis(),
            tar.perSecond(),
            tar.p99Millis(),
            signedTar.perSecond() / tar.perSecond());
        System.out.printf(
            "| same, in bytes served per second (signed %,d B, unsigned %,d B per bundle) | %.1f MB/s | %.1f MB/s | %.2fx |%n",
            signedBytes,
            tarBytes,
            signedTar.perSecond() * signedBytes / 1e6,
            tar.perSecond() * tarBytes / 1e6,
            signedTar.perSecond() * signedBytes / (tar.perSecond() * tarBytes));
        JsonObject stats =
            node.vertx
                .eventBus()
                .<JsonObject>request(Addresses.STATS, new JsonObject())
                .await(10, TimeUnit.SECONDS)
                .body();
        System.out.println();
        System.out.println(
            "cached_bundles="
                + stats.getInteger("cached_bundles")
                + " (the load client shares the JVM and the 2 cores)");
      } finally {
        client.close().await(10, TimeUnit.SECONDS);
      }
    }
  }

  private static int bodySize(HttpClient http, String path) throws Exception {
    return http.request(HttpMethod.GET, path)
        .compose(req -> req.send())
        .compose(resp -> resp.body())
        .await(30, TimeUnit.SECONDS)
        .length();
  }

  private static Load median(List<Load> loads) {
    List<Load> sorted = new ArrayList<>(loads);
    sorted.sort(java.util.Comparator.comparingDouble(Load::perSecond));
    return sorted.get(sorted.size() / 2);
  }

  /** A fresh RSA key for the signing node, as an operator's PKCS#8 PEM. */
  private static String rsaPem() throws Exception {
    java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    return "-----BEGIN PRIVATE KEY-----\n"
        + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'})
            .encodeToString(generator.generateKeyPair().getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
  }

  record Load(double perSecond, double p99Millis) {}

  /**
   * Requests per second and p99 latency with 16 requests in flight for the given seconds (after a 1
   * s warm-up).
   */
  private static Load rate(List<HttpClient> http, String path, int seconds) throws Exception {
    blast(http, path, 1, new ConcurrentLinkedQueue<>());
    ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    long done = blast(http, path, seconds, latencies);
    long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    double p99 =
        sorted.length == 0
            ? 0
            : sorted[Math.min(sorted.length - 1, (int) (sorted.length * 0.99))] / 1e6;
    return new Load(done / (double) seconds, p99);
  }

  private static long blast(
      List<HttpClient> http, String path, int seconds, ConcurrentLinkedQueue<Long> latencies)
      throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    AtomicLong done = new AtomicLong();
    List<Future<Void>> lanes = new ArrayList<>();
    for (HttpClient lane : http) {
      lanes.add(lane(lane, path, end, done, latencies));
    }
    try {
      Future.all(lanes).await(seconds + 30L, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(
          path
              + ": lanes did not finish; "
              + done.get()
              + " requests done, lanes "
              + lanes.stream().map(f -> String.valueOf(f.isComplete())).toList(),
          e);
    }
    return done.get();
  }

  /**
   * Sixteen lanes, each its own client with one keep-alive connection. (One client with a pool of
   * sixteen left a lane waiting for a connection forever now and then with Vert.x 5.0.7.)
   */
  private static List<HttpClient> lanes(Vertx vertx, int port) {
    List<HttpClient> lanes = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      lanes.add(
          vertx.createHttpClient(
              new HttpClientOptions()
                  .setDefaultHost("127.0.0.1")
                  .setDefaultPort(port)
                  .setKeepAlive(true),
              new PoolOptions().setHttp1MaxSize(1)));
    }
    return lanes;
  }

  /** One request in flight at a time until the deadline; callbacks, not a growing future chain. */
  private static Future<Void> lane(
      HttpClient http,
      String path,
      long end,
      AtomicLong done,
      ConcurrentLinkedQueue<Long> latencies) {
    Promise<Void> finished = Promise.promise();
    next(http, path, end, done, latencies, finished);
    return finished.future();
  }

  private static void next(
      HttpClient http,
      String path,
      long end,
      AtomicLong done,
      ConcurrentLinkedQueue<Long> latencies,
      Promise<Void> finished) {
    long started = System.nanoTime();
    if (started > end) {
      finished.complete();
      return;
    }
    http.request(HttpMethod.GET, path)
        .compose(req -> req.send())
        .compose(resp -> resp.body().map(body -> resp.statusCode()))
        .onComplete(
            ar -> {
              if (ar.failed() || ar.result() != 200) {
                finished.tryFail(
                    ar.failed() ? ar.cause().toString() : path + " answered " + ar.result());
                return;
              }
              done.incrementAndGet();
              latencies.add(System.nanoTime() - started);
              next(http, path, end, done, latencies, finished);
            });
  }
}
