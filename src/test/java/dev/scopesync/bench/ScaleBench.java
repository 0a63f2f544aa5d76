package dev.scopesync.bench;

import dev.scopesync.bus.StatsFields;
import dev.scopesync.testing.GitDaemon;
import dev.scopesync.testing.RedisServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * Scale (DESIGN §13, issue 12): one node holding many scopes over many git-daemon sources, the
 * server in a JVM of its own ({@code -Xmx1g}) and this JVM as the load client.
 *
 * <ol>
 *   <li>A fresh server with 10 scopes (all on the pushed repository when the population has that
 *       many on it): the webhook round trip for one repository, the comparison for step 5. Both
 *       servers get the same {@code /healthz} warm-up and 1,000 unmeasured webhooks first.
 *   <li>The population server: {@code /healthz} req/s at 16 and 64 lanes; baseline heap after full
 *       GC, RSS, threads, open fds.
 *   <li>PUT the first half of the scopes from 16 keep-alive lanes, the second half from 64 (scope i
 *       on source {@code r<i % sources>}).
 *   <li>Time from the last PUT's answer until every scope has synced once ({@code
 *       scopesync_scopes_synced_within{seconds="+Inf"}}); heap after GC per scope, RSS, threads.
 *   <li>Webhook for one repository with the full population: the HTTP round trip of {@code POST
 *       /webhook} (answered after matching, before the fetch), 200 requests one at a time on one
 *       keep-alive connection, 20 ms apart.
 *   <li>Restart before the deletes: SIGTERM, wait, start again on the same store and clones;
 *       process start → {@code /ready} 200 and → every scope synced again.
 *   <li>DELETE every scope from 64 lanes; time until every count of {@code /internal/stats} is 0;
 *       open fds against the first process's baseline.
 *   <li>{@code has been blocked} lines in the servers' log ({@code target/bench/scale-server.log}).
 * </ol>
 *
 * <p>The remotes: one template bare repository written with JGit and copied file by file to {@code
 * r0.git … r<sources-1>.git} (all hold the same commit), served by one {@code git daemon}. Run with
 * {@code scripts/bench.sh scale [scopes] [sources] [file|redis]}.
 */
public final class ScaleBench {
  private static final Path LOG = Path.of("target", "bench", "scale-server.log");
  private static final int SMALL_SCOPES = 10;

  /**
   * Webhooks before the measured ones, on both servers (the 10-scope server's JIT is cold
   * otherwise).
   */
  private static final int WEBHOOK_WARM_UP = Integer.getInteger("scale.webhookWarmUp", 1000);

  private static final long WEBHOOK_WARM_UP_PAUSE_MS = 5;
  private static final int WEBHOOK_ROUNDS = 200;
  private static final long WEBHOOK_PAUSE_MS = 20;

  /** How long a wait may go without progress before the run gives up. */
  private static final Duration STALL = Duration.ofMinutes(3);

  private static final List<String> COUNTS =
      List.of(
          StatsFields.SCOPES,
          StatsFields.REPOS,
          StatsFields.LAST_FETCHED,
          StatsFields.SOURCE_QUEUES,
          StatsFields.CLONE_DIRS,
          StatsFields.CACHED_BUNDLES);

  private final int scopes;
  private final int sources;
  private final String store;
  private final List<String[]> rows = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private final ScaleLoad load = new ScaleLoad();
  private GitDaemon daemon;

  private ScaleBench(int scopes, int sources, String store) {
    if (scopes < 2 || sources < 1 || sources > scopes) {
      throw new IllegalArgumentException(
          "need 2 <= scopes and 1 <= sources <= scopes; got " + scopes + " " + sources);
    }
    if (!store.equals("file") && !store.equals("redis")) {
      throw new IllegalArgumentException("store must be file or redis, not " + store);
    }
    this.scopes = scopes;
    this.sources = sources;
    this.store = store;
  }

  public static void main(String[] args) throws Exception {
    ScaleBench bench =
        new ScaleBench(
            args.length > 0 ? Integer.parseInt(args[0]) : 100_000,
            args.length > 1 ? Integer.parseInt(args[1]) : 10_000,
            args.length > 2 ? args[2] : "file");
    Path dir = Files.createTempDirectory("scopesync-scale");
    long t0 = System.nanoTime();
    String loadBefore = loadAverage();
    boolean ok = false;
    try {
      bench.run(dir);
      ok = true;
    } finally {
      bench.load.close();
      deleteTree(dir);
      bench.print(loadBefore, (System.nanoTime() - t0) / 1e9, ok);
    }
  }

  // ---------------------------------------------------------------- the run

  private void run(Path dir) throws Exception {
    Files.createDirectories(LOG.toAbsolutePath().getParent());
    Files.writeString(LOG, "");
    long t0 = System.nanoTime();
    Path remotes = createRemotes(dir.resolve("remotes"));
    double remoteSeconds = seconds(t0);
    progress("%,d bare remotes in %.1f s", sources, remoteSeconds);
    try (GitDaemon git = GitDaemon.start(remotes)) {
      daemon = git;
      double[] small;
      try (RedisServer redis = store.equals("redis") ? RedisServer.launch() : null) {
        small = smallServer(dir.resolve("small"), redis);
      }
      try (RedisServer redis = store.equals("redis") ? RedisServer.launch() : null) {
        population(dir.resolve("big"), redis, small);
      }
    } finally {
      daemon = null;
    }
    notes.add(
        String.format(
            Locale.ROOT,
            "Remotes: one template bare repository (JGit) copied to %,d bare "
                + "repositories in %.1f s, served by one `git daemon` (a process per clone or fetch).",
            sources,
            remoteSeconds));
  }

  /**
   * A fresh server with 10 scopes, 10 of them (or all the population has) on r0: the webhook
   * baseline.
   */
  private double[] smallServer(Path dir, RedisServer redis) throws Exception {
    int port = GitDaemon.freePort();
    ScaleServer server = ScaleServer.start("10-scope server", config(dir, port, redis), port, LOG);
    try {
      server.awaitReady(Duration.ofMinutes(2));
      // The same HTTP warm-up as the population server gets before its PUTs.
      load.runFor(port, 16, ScaleLoad.Request.of(HttpMethod.GET, "/healthz"), 200, 2, 5);
      int onR0 = Math.min(SMALL_SCOPES, matchingR0());
      ScaleLoad.Result put =
          load.run(
              port,
              1,
              0,
              SMALL_SCOPES,
              i -> putRequest("s" + i, i < onR0 ? 0 : i % sources),
              201,
              Duration.ofMinutes(2));
      require(put.problems(201), "PUT on the 10-scope server");
      if (awaitSynced(server, SMALL_SCOPES, put.endNanos(), "10-scope server") < 0) {
        throw new IllegalStateException("the 10-scope server did not sync its scopes");
      }
      double[] ms = webhook(server, onR0);
      awaitIdle(server);
      server.stop(Duration.ofMinutes(3));
      return ms;
    } finally {
      server.kill();
    }
  }

  private void population(Path dir, RedisServer redis, double[] small) throws Exception {
    int port = GitDaemon.freePort();
    Path conf = config(dir, port, redis);
    ScaleServer first = ScaleServer.start("population server", conf, port, LOG);
    ScaleServer second = null;
    try {
      double firstReady = first.awaitReady(Duration.ofMinutes(2));
      progress("server ready in %.2f s", firstReady);

      // /healthz for scale, then the baseline (every lane closed).
      ScaleLoad.Result health16 =
          load.runFor(port, 16, ScaleLoad.Request.of(HttpMethod.GET, "/healthz"), 200, 2, 5);
      ScaleLoad.Result health64 =
          load.runFor(port, 64, ScaleLoad.Request.of(HttpMethod.GET, "/healthz"), 200, 1, 5);
      Thread.sleep(500);
      JsonObject baseline = first.statsAfterGc();
      long baseThreads = first.threads();
      int[] baseFds = first.fds();

      // PUT: first half from 16 lanes, second half from 64.
      int half = scopes / 2;
      Duration putTimeout = Duration.ofSeconds(300 + scopes / 20);
      long putStart = System.nanoTime();
      ScaleLoad.Result put16 =
          load.run(port, 16, 0, half, i -> putRequest("s" + i, i % sources), 201, putTimeout);
      progress("PUT %,d from 16 lanes: %.0f/s", half, put16.perSecond());
      ScaleLoad.Result put64 =
          load.run(port, 64, half, scopes, i -> putRequest("s" + i, i % sources), 201, putTimeout);
      progress("PUT %,d from 64 lanes: %.0f/s", scopes - half, put64.perSecond());
      row(
          "PUT /scopes, 16 keep-alive clients (" + fmt(half) + " scopes)",
          rate(put16, "PUT"),
          vsHealth(put16, health16) + problems(put16, 201));
      row(
          "PUT /scopes, 64 keep-alive clients (" + fmt(scopes - half) + " scopes)",
          rate(put64, "PUT"),
          vsHealth(put64, health64) + problems(put64, 201));
      row(
          "GET /healthz, 16 / 64 keep-alive clients (5 s each, same client)",
          String.format(
              Locale.ROOT, "%,.0f req/s / %,.0f req/s", health16.perSecond(), health64.perSecond()),
          String.format(
              Locale.ROOT, "p99 %.1f ms / %.1f ms", health16.p99Millis(), health64.p99Millis()));

      long lastPut = put64.endNanos();
      long syncedAt = awaitSynced(first, scopes, lastPut, "first sync");
      String metrics = first.metrics();
      row(
          "last PUT answered → every scope synced once ("
              + fmt(sources)
              + " clones from git daemon, then ref "
              + "comparisons)",
          syncedAt < 0
              ? notSynced(first, scopes)
              : String.format(Locale.ROOT, "%.1f s", (syncedAt - lastPut) / 1e9),
          String.format(
              Locale.ROOT,
              "%sgit: %s",
              syncedAt < 0
                  ? ""
                  : String.format(
                      Locale.ROOT, "%.1f s from the first PUT; ", (syncedAt - putStart) / 1e9),
              gitOperations(metrics)));
      awaitIdle(first);
      JsonObject full = first.statsAfterGc();
      long fullThreads = first.threads();
      String fullMetrics = first.metrics();
      long heapDelta =
          full.getLong(StatsFields.HEAP_USED_BYTES) - baseline.getLong(StatsFields.HEAP_USED_BYTES);
      long cacheBytes =
          (long) Math.max(0, ScaleServer.metric(fullMetrics, "scopesync_bundle_cache_bytes "));
      row(
          "server heap after full GC, before the PUTs → all synced",
          String.format(
              Locale.ROOT,
              "%.1f MB → %.1f MB: **%,.0f bytes/scope**",
              mb(baseline),
              mb(full),
              (heapDelta - cacheBytes) / (double) scopes),
          String.format(
              Locale.ROOT,
              "bundle cache (bounded separately by bundles.cacheMaxBytes) %,d bytes, "
                  + "%d bundles, not counted; %,.0f bytes/source",
              cacheBytes,
              full.getInteger(StatsFields.CACHED_BUNDLES),
              (heapDelta - cacheBytes) / (double) sources));
      row(
          "server RSS / threads, before the PUTs → all synced",
          String.format(
              Locale.ROOT,
              "%.0f MB → %.0f MB / %d → %d",
              rssMb(baseline),
              rssMb(full),
              baseThreads,
              fullThreads),
          String.format(
              Locale.ROOT,
              "open fds %d → %d; stats: %s",
              baseline.getInteger(StatsFields.OPEN_FDS),
              full.getInteger(StatsFields.OPEN_FDS),
              counts(full)));

      // Webhook with the full population against the 10-scope server's.
      double[] big = webhook(first, matchingR0());
      awaitIdle(first);
      row(
          String.format(
              Locale.ROOT,
              "POST /webhook round trip for one repository (%d scopes match), %,d scopes "
                  + "present, %d requests one at a time",
              matchingR0(),
              scopes,
              WEBHOOK_ROUNDS),
          String.format(Locale.ROOT, "median %.2f ms, p99 %.2f ms", median(big), p99(big)),
          String.format(
              Locale.ROOT,
              "fresh server with %d scopes (%d match): median %.2f ms, p99 %.2f ms → "
                  + "**%.2f×** (p99 %.2f×)",
              SMALL_SCOPES,
              Math.min(SMALL_SCOPES, matchingR0()),
              median(small),
              p99(small),
              median(big) / median(small),
              p99(big) / p99(small)));

      // Restart before the deletes, on the same store and clones.
      double stopSeconds = first.stop(Duration.ofMinutes(5));
      progress("stopped in %.1f s; restarting", stopSeconds);
      second = ScaleServer.start("population server, restarted", conf, port, LOG);
      long restartT0 = second.startedNanos();
      double ready = second.awaitReady(Duration.ofMinutes(5));
      progress("restarted server ready in %.2f s", ready);
      row(
          "restart (before the deletes): SIGTERM → exit; process start → GET /ready 200",
          String.format(Locale.ROOT, "%.1f s; **%.2f s**", stopSeconds, ready),
          String.format(Locale.ROOT, "first start, empty store: %.2f s to /ready", firstReady));
      long resynced = awaitSynced(second, scopes, restartT0, "sync after the restart");
      String restartMetrics = second.metrics();
      boolean idle = resynced >= 0 && awaitIdle(second);
      JsonObject afterRestart = idle ? second.statsAfterGc() : second.stats();
      row(
          "restart: process start → every scope synced again",
          resynced < 0
              ? notSynced(second, scopes)
              : String.format(Locale.ROOT, "%.1f s", (resynced - restartT0) / 1e9),
          String.format(
              Locale.ROOT,
              "git: %s; heap%s %.1f MB, RSS %.0f MB, %d threads",
              gitOperations(restartMetrics),
              idle ? " after GC" : "",
              mb(afterRestart),
              rssMb(afterRestart),
              second.threads()));

      // DELETE every scope from 64 lanes.
      long deleteStart = System.nanoTime();
      ScaleLoad.Result del =
          load.run(
              port,
              64,
              0,
              scopes,
              i -> ScaleLoad.Request.of(HttpMethod.DELETE, "/scopes/s" + i),
              204,
              putTimeout);
      progress("DELETE %,d from 64 lanes: %.0f/s", scopes, del.perSecond());
      row(
          "DELETE /scopes/{id}, 64 keep-alive clients (" + fmt(scopes) + " scopes)",
          rate(del, "DELETE"),
          vsHealth(del, health64) + problems(del, 204));
      JsonObject[] zero = new JsonObject[1];
      long allZero = awaitCountsZero(second, zero);
      // Pooled connections (the Redis store's) retire after 15 s unused: fds are compared once
      // they are back at the baseline or 30 s have passed.
      int baseOpen = baseline.getInteger(StatsFields.OPEN_FDS);
      JsonObject afterGc = second.statsAfterGc();
      JsonObject end = afterGc;
      for (long until = System.nanoTime() + 30_000_000_000L;
          end.getInteger(StatsFields.OPEN_FDS) > baseOpen && System.nanoTime() < until; ) {
        Thread.sleep(1_000);
        end = second.stats();
      }
      long fdsSettled = System.nanoTime();
      int[] endFds = second.fds();
      row(
          "last DELETE answered → every count 0 (" + String.join(", ", COUNTS) + ")",
          zero[0] == null
              ? "**counts did not reach 0**"
              : String.format(
                  Locale.ROOT,
                  "%.1f s (%.1f s from the first DELETE)",
                  (allZero - del.endNanos()) / 1e9,
                  (allZero - deleteStart) / 1e9),
          "then, after GC: " + counts(afterGc));
      int endOpen = end.getInteger(StatsFields.OPEN_FDS);
      row(
          "open fds after the deletes vs the baseline before the PUTs (first process)",
          String.format(
              Locale.ROOT,
              "%d vs %d (%s, %.1f s after every count was 0)",
              endOpen,
              baseOpen,
              endOpen <= baseOpen ? "at baseline" : "**" + (endOpen - baseOpen) + " above**",
              (fdsSettled - allZero) / 1e9),
          String.format(
              Locale.ROOT,
              "/proc: %d sockets + %d others vs %d + %d; heap after GC %.1f MB vs %.1f MB, "
                  + "RSS %.0f MB",
              endFds[0],
              endFds[1],
              baseFds[0],
              baseFds[1],
              mb(afterGc),
              mb(baseline),
              rssMb(end)));
      second.stop(Duration.ofMinutes(5));
    } finally {
      first.kill();
      if (second != null) {
        second.kill();
      }
      blockedThreadRow();
    }
  }

  /** The result cell of a sync that stalled. */
  private static String notSynced(ScaleServer server, long n) throws Exception {
    return String.format(
        Locale.ROOT,
        "**did not finish: %,d of %,d synced, no progress for %d min**",
        server.syncedScopes(),
        n,
        STALL.toMinutes());
  }

  // ---------------------------------------------------------------- phases

  /** The round trips of POST /webhook for r0, one request at a time (after a warm-up), in ms. */
  private double[] webhook(ScaleServer server, int expectedScopes) throws Exception {
    JsonObject payload =
        new JsonObject()
            .put("ref", "refs/heads/main")
            .put(
                "repository",
                new JsonObject()
                    .put("clone_url", "https://127.0.0.1/r0.git")
                    .put("full_name", "r0"));
    ScaleLoad.Request request =
        new ScaleLoad.Request(
            HttpMethod.POST,
            "/webhook",
            Buffer.buffer(payload.encode()),
            Map.of("X-GitHub-Event", "push"));
    JsonObject answer = new JsonObject(load.body(server.port(), request));
    int matched = answer.getJsonArray("scopes", new JsonArray()).size();
    if (matched != expectedScopes) {
      throw new IllegalStateException(
          "webhook matched " + matched + " scopes, expected " + expectedScopes + ": " + answer);
    }
    double[] ms;
    try {
      load.sequential(
          server.port(),
          java.util.Collections.nCopies(WEBHOOK_WARM_UP, request),
          200,
          WEBHOOK_WARM_UP_PAUSE_MS);
      awaitIdle(server);
      ms =
          load.sequential(
              server.port(),
              java.util.Collections.nCopies(WEBHOOK_ROUNDS, request),
              200,
              WEBHOOK_PAUSE_MS);
    } catch (java.util.concurrent.TimeoutException e) {
      // Tell a stuck server from a stuck client: the same POST from the JDK client, and the
      // server's threads.
      Path dump = LOG.resolveSibling("scale-server-threads.txt");
      server.threadDump(dump);
      String retry;
      try {
        long t0 = System.nanoTime();
        var r = server.send("POST", "/webhook", payload.encode(), Duration.ofSeconds(20));
        retry =
            "the same POST from a JDK HttpClient answered "
                + r.statusCode()
                + " in "
                + String.format(Locale.ROOT, "%.1f ms", (System.nanoTime() - t0) / 1e6);
      } catch (Exception again) {
        retry = "the same POST from a JDK HttpClient failed too: " + again;
      }
      String sockets = "";
      try {
        Process ss =
            new ProcessBuilder(
                    "ss",
                    "-tni",
                    "( sport = :" + server.port() + " or dport = :" + server.port() + " )")
                .redirectErrorStream(true)
                .start();
        sockets = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        ss.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (IOException noSs) {
        sockets = noSs.toString();
      }
      throw new IllegalStateException(
          "a POST /webhook got no answer; sockets:\n"
              + sockets
              + "\n"
              + retry
              + "; server threads in "
              + dump
              + "; stats "
              + server.stats(),
          e);
    }
    Arrays.sort(ms);
    return ms;
  }

  /**
   * Polls the synced-once gauge until it reaches {@code n}; the nanoTime it did, or -1 when it
   * stalled (noted).
   */
  private long awaitSynced(ScaleServer server, long n, long since, String what) throws Exception {
    long lastProgress = System.nanoTime();
    long lastReport = lastProgress;
    long seen = -1;
    long pollMillis = n > 20_000 ? 500 : 100;
    while (true) {
      long synced = server.syncedScopes();
      long now = System.nanoTime();
      if (synced >= n) {
        return now;
      }
      if (synced > seen) {
        seen = synced;
        lastProgress = now;
      } else if (now - lastProgress > STALL.toNanos()) {
        notes.add(
            String.format(
                Locale.ROOT,
                "%s: synced scopes stuck at %,d of %,d for %d min; git: %s; stats: %s",
                what,
                synced,
                n,
                STALL.toMinutes(),
                gitOperations(server.metrics()),
                server.stats()));
        return -1;
      }
      if (now - lastReport > Duration.ofSeconds(30).toNanos()) {
        lastReport = now;
        progress("  synced %,d of %,d, %.0f s", synced, n, (now - since) / 1e9);
      }
      Thread.sleep(pollMillis);
    }
  }

  /**
   * Waits until no git work is queued (source_queues 0); false (noted) when some still is after
   * {@link #STALL}.
   */
  private boolean awaitIdle(ScaleServer server) throws Exception {
    long deadline = System.nanoTime() + STALL.toNanos();
    while (server.stats().getInteger(StatsFields.SOURCE_QUEUES) != 0) {
      if (System.nanoTime() > deadline) {
        notes.add("git work still queued after " + STALL.toMinutes() + " min: " + server.stats());
        return false;
      }
      Thread.sleep(100);
    }
    return true;
  }

  /**
   * Polls /internal/stats until every count is 0; the nanoTime it was (or of the give-up, with
   * {@code zero[0]} null).
   */
  private long awaitCountsZero(ScaleServer server, JsonObject[] zero) throws Exception {
    long lastProgress = System.nanoTime();
    long lastReport = lastProgress;
    long seen = Long.MAX_VALUE;
    while (true) {
      JsonObject stats = server.stats();
      long now = System.nanoTime();
      long sum = COUNTS.stream().mapToLong(stats::getLong).sum();
      if (sum == 0) {
        zero[0] = stats;
        return now;
      }
      if (sum < seen) {
        seen = sum;
        lastProgress = now;
      } else if (now - lastProgress > STALL.toNanos()) {
        notes.add("counts stuck after the deletes: " + counts(stats));
        return now;
      }
      if (now - lastReport > Duration.ofSeconds(30).toNanos()) {
        lastReport = now;
        progress("  after the deletes: %s", counts(stats));
      }
      Thread.sleep(100);
    }
  }

  private void blockedThreadRow() {
    try {
      List<String> lines = Files.readAllLines(LOG, StandardCharsets.UTF_8);
      Map<String, Integer> byProcess = new LinkedHashMap<>();
      String process = "?";
      List<String> blocked = new ArrayList<>();
      List<String> problems = new ArrayList<>();
      for (String line : lines) {
        if (line.startsWith("=== scale bench: ")) {
          process = line.substring("=== scale bench: ".length(), line.indexOf(" — "));
          byProcess.putIfAbsent(process, 0);
        } else if (line.contains("has been blocked")) {
          byProcess.merge(process, 1, Integer::sum);
          blocked.add(line);
        } else if ((line.contains(" WARN ")
                || line.contains(" ERROR ")
                || line.contains("Exception"))
            && !line.contains("auth.publicKey is not set")
            && !line.contains("webhook.secret is not set")) {
          problems.add(line);
        }
      }
      row(
          "event-loop / worker blocked-thread warnings (lines with \"has been blocked\" in "
              + LOG
              + ")",
          blocked.isEmpty() ? "0" : "**" + blocked.size() + "**",
          byProcess.toString());
      blocked.stream().limit(5).forEach(l -> notes.add("blocked: `" + l.trim() + "`"));
      if (!problems.isEmpty()) {
        notes.add(
            problems.size()
                + " other WARN/ERROR/Exception line(s) in the server log, the first ones:");
        problems.stream().limit(8).forEach(l -> notes.add("    `" + l.trim() + "`"));
      }
    } catch (IOException e) {
      notes.add("server log unreadable: " + e);
    }
  }

  // ---------------------------------------------------------------- setup

  private Path config(Path dir, int port, RedisServer redis) throws IOException {
    Files.createDirectories(dir);
    JsonObject storeConf = new JsonObject().put("dir", dir.resolve("scopes").toString());
    if (redis != null) {
      storeConf.put("type", "redis").put("redisUrl", redis.url());
    }
    JsonObject conf =
        new JsonObject()
            .put("http", new JsonObject().put("host", "127.0.0.1").put("port", port))
            .put("store", storeConf)
            .put(
                "git",
                new JsonObject()
                    .put("baseDir", dir.resolve("data").toString())
                    .put(
                        "allowedSchemes",
                        new JsonArray().add("https").add("http").add("ssh").add("git")))
            .put("debug", new JsonObject().put("internalStats", true));
    Path file = dir.resolve("config.json");
    Files.writeString(file, conf.encodePrettily());
    return file;
  }

  private ScaleLoad.Request putRequest(String scopeId, int source) {
    String body =
        "{\"scope_id\": \""
            + scopeId
            + "\", \"policy\": {\"url\": \""
            + daemon.url("r" + source)
            + "\", \"branch\": \"main\", \"auth\": {\"auth_type\": \"none\"}}, \"data\": {\"entries\": [{\"url\": \"\", "
            + "\"topics\": [\"policy_data\"], \"dst_path\": \"/m\", \"data\": {}}]}}";
    return new ScaleLoad.Request(HttpMethod.PUT, "/scopes", Buffer.buffer(body), Map.of());
  }

  /** Scopes of the population on r0: i % sources == 0. */
  private int matchingR0() {
    return (scopes + sources - 1) / sources;
  }

  /**
   * One template bare repository with one commit on main, written with JGit, then copied file by
   * file to {@code r<k>.git}: no push and no working tree, so 10,000 remotes take seconds.
   */
  private Path createRemotes(Path remotes) throws IOException {
    Files.createDirectories(remotes);
    Path template = remotes.getParent().resolve("template.git");
    try (Repository repo =
        new FileRepositoryBuilder().setGitDir(template.toFile()).setBare().build()) {
      repo.create(true);
      RefUpdate.Result head = repo.updateRef(Constants.HEAD).link("refs/heads/main");
      if (head != RefUpdate.Result.NEW && head != RefUpdate.Result.FORCED) {
        throw new IOException("HEAD -> main: " + head);
      }
      try (ObjectInserter inserter = repo.newObjectInserter()) {
        DirCache index = DirCache.newInCore();
        DirCacheBuilder builder = index.builder();
        add(builder, inserter, "p.rego", "package p\n\ndefault allow = false\n");
        add(builder, inserter, "d/data.json", "{\"x\": 1}");
        builder.finish();
        PersonIdent who = new PersonIdent("scale", "scale@example.com");
        CommitBuilder commit = new CommitBuilder();
        commit.setTreeId(index.writeTree(inserter));
        commit.setAuthor(who);
        commit.setCommitter(who);
        commit.setMessage("init\n");
        ObjectId id = inserter.insert(commit);
        inserter.flush();
        RefUpdate main = repo.updateRef("refs/heads/main");
        main.setNewObjectId(id);
        main.setExpectedOldObjectId(ObjectId.zeroId());
        if (main.update() != RefUpdate.Result.NEW) {
          throw new IOException("refs/heads/main not created");
        }
      }
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(template)) {
      files = walk.sorted().toList();
    }
    for (int r = 0; r < sources; r++) {
      Path target = remotes.resolve("r" + r + ".git");
      for (Path file : files) {
        Path to = target.resolve(template.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(to);
        } else {
          Files.copy(file, to);
        }
      }
    }
    return remotes;
  }

  private static void add(
      DirCacheBuilder builder, ObjectInserter inserter, String path, String content)
      throws IOException {
    DirCacheEntry entry = new DirCacheEntry(path);
    entry.setFileMode(FileMode.REGULAR_FILE);
    entry.setObjectId(
        inserter.insert(Constants.OBJ_BLOB, content.getBytes(StandardCharsets.UTF_8)));
    builder.add(entry);
  }

  // ---------------------------------------------------------------- output

  private void print(String loadBefore, double wallSeconds, boolean ok) {
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "| scale: %,d scopes over %,d git-daemon sources, %s store; server in its own JVM "
            + "(-Xmx1g, default git.workerPoolSize / syncConcurrency), load client in the bench JVM | result | "
            + "comparison |%n",
        scopes,
        sources,
        store);
    System.out.println("|---|---|---|");
    for (String[] row : rows) {
      System.out.println("| " + String.join(" | ", row) + " |");
    }
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "Machine: %d cores (%s), %s, %s; load average at the start %s, at the end %s; "
            + "the whole run took %.0f s%s.%n",
        Runtime.getRuntime().availableProcessors(),
        cpuModel(),
        memory(),
        "Java "
            + System.getProperty("java.runtime.version")
            + " ("
            + System.getProperty("java.vm.name")
            + ")",
        loadBefore,
        loadAverage(),
        wallSeconds,
        ok ? "" : " — **the run failed** (see the error below)");
    if (!notes.isEmpty()) {
      System.out.println();
      notes.forEach(n -> System.out.println(n.startsWith("    ") ? n : "- " + n));
    }
  }

  private void row(String measurement, String result, String comparison) {
    rows.add(new String[] {measurement, result, comparison});
  }

  private static String rate(ScaleLoad.Result r, String what) {
    return String.format(
        Locale.ROOT,
        "**%,.0f %s/s** (%.1f s; p50 %.1f ms, p99 %.1f ms)",
        r.perSecond(),
        what,
        r.seconds(),
        r.p50Millis(),
        r.p99Millis());
  }

  private static String vsHealth(ScaleLoad.Result r, ScaleLoad.Result health) {
    return String.format(
        Locale.ROOT,
        "%.1f%% of /healthz from the same %d clients (%,.0f req/s)",
        100 * r.perSecond() / health.perSecond(),
        health.lanes(),
        health.perSecond());
  }

  private static String problems(ScaleLoad.Result r, int expected) {
    String p = r.problems(expected);
    return p.isEmpty() ? "" : "; **" + p + "**";
  }

  private static void require(String problems, String what) {
    if (!problems.isEmpty()) {
      throw new IllegalStateException(what + ": " + problems);
    }
  }

  /** Clones and fetches by outcome, from /metrics. */
  private static String gitOperations(String metrics) {
    StringBuilder out = new StringBuilder();
    for (String op : new String[] {"clone", "fetch"}) {
      long okCount =
          (long)
              ScaleServer.sum(
                  metrics, "scopesync_git_operations_total", "op=\"" + op + "\"", "outcome=\"ok\"");
      long all =
          (long) ScaleServer.sum(metrics, "scopesync_git_operations_total", "op=\"" + op + "\"");
      out.append(out.length() == 0 ? "" : ", ")
          .append(
              String.format(
                  Locale.ROOT, "%,d %s ok", okCount, op.equals("clone") ? "clones" : "fetches"));
      if (all != okCount) {
        out.append(String.format(Locale.ROOT, " (**%,d failed**)", all - okCount));
      }
    }
    return out.toString();
  }

  private static String counts(JsonObject stats) {
    return String.join(", ", COUNTS.stream().map(k -> k + "=" + stats.getValue(k)).toList());
  }

  private static double median(double[] sorted) {
    return sorted[sorted.length / 2];
  }

  private static double p99(double[] sorted) {
    return sorted[
        Math.max(0, Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.99) - 1))];
  }

  private static double mb(JsonObject stats) {
    return stats.getLong(StatsFields.HEAP_USED_BYTES) / 1048576.0;
  }

  private static double rssMb(JsonObject stats) {
    return stats.getLong(StatsFields.RSS_KB) / 1024.0;
  }

  private static String fmt(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  private static void progress(String format, Object... args) {
    System.err.printf(
        Locale.ROOT,
        "[scale %tT] " + format + "%n",
        Stream.concat(Stream.of(System.currentTimeMillis()), Arrays.stream(args)).toArray());
  }

  private static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException e) {
      return "?";
    }
  }

  private static String cpuModel() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
      return lines
          .filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst()
          .orElse("?");
    } catch (IOException e) {
      return "?";
    }
  }

  private static String memory() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/meminfo"))) {
      return lines
          .filter(l -> l.startsWith("MemTotal:"))
          .map(
              l ->
                  String.format(
                      Locale.ROOT,
                      "%.1f GB RAM",
                      Long.parseLong(l.replaceAll("[^0-9]", "")) / 1048576.0))
          .findFirst()
          .orElse("?");
    } catch (IOException e) {
      return "?";
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
