package dev.scopesync.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.scopesync.bus.StatsFields;
import dev.scopesync.metrics.ProcessStats;
import dev.scopesync.testing.EventLog;
import dev.scopesync.testing.GitDaemon;
import dev.scopesync.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.awt.Color;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.management.ObjectName;
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
import org.slf4j.LoggerFactory;

/**
 * Soak: churns many scopes over many git daemon sources through one node, cycle after cycle, and
 * prints what the process holds after every cycle's deletes (DESIGN §4: no per-source state,
 * descriptors back at baseline) beside what it holds at full load. Writes the series as {@code
 * target/bench/soak.csv} and {@code target/bench/soak.png}.
 *
 * <p>A cycle: PUT every scope (scope i uses source i % sources) over HTTP with a bounded number of
 * requests in flight, wait for every scope's sync event, fetch a sample of bundles, DELETE every
 * scope, wait for every delete job, then collect garbage and read {@code /internal/stats}. Counts
 * that are not 0 after the deletes fail the run.
 *
 * <p>Run with {@code scripts/bench.sh soak [scopes] [sources] [cycles]}.
 */
public final class SoakBench {
  /** HTTP requests in flight during the PUT and DELETE phases. */
  private static final int LANES = 16;

  private static final int BUNDLE_SAMPLES = 8;

  /**
   * A little above the default 8, and well under git daemon's 32 connections: beyond those it kills
   * the newest connection from the same address, and every fetch comes from 127.0.0.1.
   */
  private static final int WORKER_POOL_SIZE = 12;

  /** Counts that DESIGN §4 wants at 0 once every scope is deleted. */
  private static final List<String> PER_SOURCE_COUNTS =
      List.of(
          StatsFields.REPOS,
          StatsFields.LAST_FETCHED,
          StatsFields.SOURCE_QUEUES,
          StatsFields.CLONE_DIRS,
          StatsFields.CACHED_BUNDLES);

  /** The stats counts a reading keeps: scopes, then the per-source ones. */
  private static final List<String> COUNTS =
      Stream.concat(Stream.of(StatsFields.SCOPES), PER_SOURCE_COUNTS.stream()).toList();

  private static final Path OUT = Path.of("target", "bench");
  private static final String CLIENT_THREAD = "soak-client";

  private final int scopes;
  private final int sources;
  private final int cycles;
  private final Duration phaseTimeout;
  private final List<Reading> readings = new ArrayList<>();
  private final List<String> problems = new ArrayList<>();

  /** What is worth a reader's attention without failing the run. */
  private final List<String> notes = new ArrayList<>();

  private Map<String, Integer> baselineThreads;
  private Map<String, Integer> latestThreads;
  private final ThreadPoolExecutor lanes =
      (ThreadPoolExecutor)
          Executors.newFixedThreadPool(
              LANES,
              r -> {
                Thread t = new Thread(r, CLIENT_THREAD);
                t.setDaemon(true);
                return t;
              });

  private SoakBench(int scopes, int sources, int cycles) {
    if (scopes < 1 || sources < 1 || cycles < 1 || sources > scopes) {
      throw new IllegalArgumentException(
          "need 1 <= sources <= scopes and cycles >= 1; got scopes="
              + scopes
              + " sources="
              + sources
              + " cycles="
              + cycles);
    }
    this.scopes = scopes;
    this.sources = sources;
    this.cycles = cycles;
    this.phaseTimeout = Duration.ofSeconds(120 + scopes / 10);
    // Started now, so the baseline already holds the client's threads.
    lanes.prestartAllCoreThreads();
  }

  public static void main(String[] args) throws Exception {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
    SoakBench bench = new SoakBench(arg(args, 0, 5000), arg(args, 1, 500), arg(args, 2, 5));
    Path dir = Files.createTempDirectory("scopesync-soak");
    try {
      bench.run(dir);
    } finally {
      bench.lanes.shutdownNow();
      try (var walk = Files.walk(dir)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    if (!bench.notes.isEmpty()) {
      System.out.println();
      System.out.println("Notes:");
      bench.notes.forEach(n -> System.out.println("- " + n));
    }
    if (!bench.problems.isEmpty()) {
      System.out.println();
      System.out.println("**FAILED** — the server kept state it should have released:");
      bench.problems.forEach(p -> System.out.println("- " + p));
      System.exit(1);
    }
  }

  private static int arg(String[] args, int i, int otherwise) {
    return args.length > i ? Integer.parseInt(args[i]) : otherwise;
  }

  /**
   * One line of the table: the node's stats plus what this process sees in /proc. Numbers only, so
   * the readings kept for the plot weigh a few hundred bytes each.
   *
   * @param counts the stats counts in the order of {@link #COUNTS}
   */
  private record Reading(
      int cycle,
      String phase,
      double wallSeconds,
      long heapUsedBytes,
      long rssKb,
      int openFds,
      int[] counts,
      FdCount fds,
      int threads,
      JvmMemory jvm) {
    static Reading of(
        int cycle,
        String phase,
        double wallSeconds,
        JsonObject stats,
        FdCount fds,
        int threads,
        JvmMemory jvm) {
      int[] counts = COUNTS.stream().mapToInt(stats::getInteger).toArray();
      return new Reading(
          cycle,
          phase,
          wallSeconds,
          stats.getLong(StatsFields.HEAP_USED_BYTES),
          stats.getLong(StatsFields.RSS_KB),
          stats.getInteger(StatsFields.OPEN_FDS),
          counts,
          fds,
          threads,
          jvm);
    }

    int count(String field) {
      return counts[COUNTS.indexOf(field)];
    }

    double heapMb() {
      return heapUsedBytes / 1048576.0;
    }

    double rssMb() {
      return rssKb / 1024.0;
    }
  }

  /**
   * Where the process's memory sits beyond the heap in use, to tell the JVM's own sizing from
   * native memory: heap committed, metaspace + code cache, NIO direct and mapped buffers, and the
   * anonymous part of RSS (malloc arenas, thread stacks, the heap itself).
   */
  private record JvmMemory(
      double heapCommittedMb, double nonHeapMb, double directMb, double rssAnonMb) {
    static JvmMemory read() throws IOException {
      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      double direct =
          ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                  .mapToLong(BufferPoolMXBean::getMemoryUsed)
                  .sum()
              / 1048576.0;
      double anon = -1;
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("RssAnon:")) {
          anon = Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
      return new JvmMemory(
          memory.getHeapMemoryUsage().getCommitted() / 1048576.0,
          memory.getNonHeapMemoryUsage().getUsed() / 1048576.0,
          direct,
          anon);
    }
  }

  /** Open descriptors of this process by kind; {@code inClones} point into the clone root. */
  private record FdCount(int sockets, int inClones) {
    static FdCount read(Path clones) throws IOException {
      String cloneRoot = clones.toAbsolutePath().normalize().toString();
      int sockets = 0;
      int inClones = 0;
      try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
        for (Path fd : fds) {
          String target;
          try {
            target = Files.readSymbolicLink(fd).toString();
          } catch (IOException e) {
            continue; // closed meanwhile (our own directory stream among them)
          }
          if (target.startsWith("socket:")) {
            sockets++;
          } else if (target.startsWith(cloneRoot)) {
            inClones++;
          }
        }
      }
      return new FdCount(sockets, inClones);
    }
  }

  private void run(Path dir) throws Exception {
    Path remotes = Files.createDirectories(dir.resolve("remotes"));
    long t0 = System.nanoTime();
    for (int s = 0; s < sources; s++) {
      createRemote(remotes.resolve(sourceName(s) + ".git"), s);
    }
    double createSeconds = seconds(t0);
    LockFileErrors lockErrors = LockFileErrors.capture();
    try (GitDaemon daemon = GitDaemon.start(remotes);
        TestNode node =
            TestNode.start(
                dir.resolve("node"),
                json -> {
                  json.getJsonObject("git")
                      .put("workerPoolSize", WORKER_POOL_SIZE)
                      .put("syncConcurrency", WORKER_POOL_SIZE);
                  return json;
                })) {
      printIntro(node, createSeconds);
      warmUp(node, daemon);
      for (int cycle = 1; cycle <= cycles; cycle++) {
        cycle(node, daemon, cycle);
      }
      printSummary();
    } finally {
      lockErrors.release();
      if (lockErrors.count() > 0) {
        notes.add(
            "JGit logged "
                + lockErrors.count()
                + " ERRORs from LockFile (kept out of the table), first: "
                + lockErrors.first());
      }
      if (!readings.isEmpty()) {
        writeCsv(OUT.resolve("soak.csv"));
        writePlot(OUT.resolve("soak.png"));
        System.out.println();
        System.out.println("Raw numbers: " + OUT.resolve("soak.csv").toAbsolutePath());
        System.out.println("Plot: " + OUT.resolve("soak.png").toAbsolutePath());
      }
    }
  }

  private void printIntro(TestNode node, double createSeconds) {
    System.out.printf(
        Locale.ROOT,
        "Soak: %,d scopes over %,d sources (git daemon), %d cycles; "
            + "git.workerPoolSize=%d, git.maxOpenRepositories=%d, %d HTTP requests in flight; "
            + "%,d bare remotes created in %.1f s.%n",
        scopes,
        sources,
        cycles,
        node.config.gitWorkerPoolSize(),
        node.config.maxOpenRepositories(),
        LANES,
        sources,
        createSeconds);
    System.out.println();
    System.out.println(
        "- Heap, RSS and fds are the whole JVM: the node and this load client share it. The client "
            + "holds a JDK HttpClient and "
            + LANES
            + " threads; its event logs are cleared before every reading. "
            + "The git daemon is a process of its own and is not counted.");
    System.out.println(
        "- Every reading follows 3 × System.gc() and waits for RSS to settle (G1 returns shrunk "
            + "heap to the OS concurrently). Non-heap = metaspace + code cache; direct = NIO direct and mapped "
            + "buffers; anonymous RSS holds the heap, thread stacks, GC structures and malloc arenas.");
    System.out.println(
        "- `node threads` leaves the client's threads out. `during` = every scope synced and the "
            + "bundle sample served; `after` = every delete job finished.");
    System.out.println(
        "- Wall time, readings excluded: `during` = PUT + sync + bundle sample; `after` = the whole "
            + "cycle (the deletes took the difference).");
    System.out.println();
    System.out.println(
        "| cycle | phase | wall s | heap MB (after GC) | heap committed MB | non-heap MB "
            + "| direct MB | RSS MB | of which anon MB | open fds | fds into clones | node threads | scopes | repos "
            + "| last_fetched | source_queues | clone_dirs | cached_bundles |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  }

  /** One scope through the whole path first: lazily loaded classes and pools are not leaks. */
  private void warmUp(TestNode node, GitDaemon daemon) throws Exception {
    long t0 = System.nanoTime();
    node.putAndAwaitSync(TestNode.scope("warm-up", daemon.url(sourceName(0))));
    expectStatus(200, node.request("GET", "/scopes/warm-up/policy", null), "GET warm-up policy");
    expectStatus(204, node.delete("warm-up"), "DELETE warm-up");
    node.deleted.awaitOne(EventLog.field("scope_id", "warm-up"), phaseTimeout);
    record(node, 0, "baseline", seconds(t0), true);
    Histogram.save(histogramFile(0));
  }

  /**
   * One cycle. Each phase is its own method so the events it checked are garbage by the time of the
   * reading: a list held in this frame would count as the node's heap.
   */
  private void cycle(TestNode node, GitDaemon daemon, int cycle) throws Exception {
    long t0 = System.nanoTime();
    putAllAndAwaitSyncs(node, daemon, cycle);
    sampleBundles(node, cycle);
    Reading during = record(node, cycle, "during", seconds(t0), false);
    expect(during, StatsFields.SCOPES, scopes);
    expect(during, StatsFields.CLONE_DIRS, sources);
    expect(during, StatsFields.LAST_FETCHED, sources);
    noteLockFiles(node, cycle);

    long t1 = System.nanoTime();
    deleteAllAndAwaitJobs(node, cycle);
    Reading after = record(node, cycle, "after", during.wallSeconds() + seconds(t1), true);
    expect(after, StatsFields.SCOPES, 0);
    for (String count : PER_SOURCE_COUNTS) {
      expect(after, count, 0);
    }
    if (after.fds().inClones() != 0) {
      problems.add(
          "cycle "
              + cycle
              + ": "
              + after.fds().inClones()
              + " descriptors still point into the clone root");
    }
    if (cycle == 1 || cycle == cycles) {
      Histogram.save(histogramFile(cycle));
    }
    saveNativeMemorySummary(cycle);
  }

  /**
   * With -XX:NativeMemoryTracking=summary (e.g. in JAVA_TOOL_OPTIONS), the JVM's own account of its
   * native memory after each cycle, to tell it from malloc outside the JVM.
   */
  private static void saveNativeMemorySummary(int cycle) throws Exception {
    boolean tracking =
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .anyMatch(a -> a.startsWith("-XX:NativeMemoryTracking=") && !a.endsWith("=off"));
    if (tracking) {
      String text =
          (String)
              ManagementFactory.getPlatformMBeanServer()
                  .invoke(
                      new ObjectName("com.sun.management:type=DiagnosticCommand"),
                      "vmNativeMemory",
                      new Object[] {new String[] {"summary", "scale=MB"}},
                      new String[] {String[].class.getName()});
      Files.writeString(
          OUT.resolve("soak-nmt-after-" + cycle + ".txt"), text, StandardCharsets.UTF_8);
    }
  }

  private void putAllAndAwaitSyncs(TestNode node, GitDaemon daemon, int cycle) throws Exception {
    clearEventLogs(node);
    inLanes(
        "PUT",
        i -> {
          HttpResponse<String> r =
              node.put(TestNode.scope(scopeId(i), daemon.url(sourceName(i % sources))));
          expectStatus(201, r, "PUT " + scopeId(i));
        });
    List<JsonObject> synced = node.synced.await(e -> true, scopes, phaseTimeout);
    List<JsonObject> failed =
        synced.stream().filter(e -> !"ok".equals(e.getString("outcome"))).toList();
    if (!failed.isEmpty() || synced.size() != scopes) {
      throw new IllegalStateException(
          "cycle "
              + cycle
              + ": "
              + synced.size()
              + " sync events for "
              + scopes
              + " scopes, "
              + failed.size()
              + " not ok, first: "
              + failed.stream().limit(3).toList());
    }
  }

  private void deleteAllAndAwaitJobs(TestNode node, int cycle) throws Exception {
    clearEventLogs(node);
    inLanes("DELETE", i -> expectStatus(204, node.delete(scopeId(i)), "DELETE " + scopeId(i)));
    List<JsonObject> deleted = node.deleted.await(e -> true, scopes, phaseTimeout);
    List<JsonObject> purges =
        deleted.stream().filter(e -> Boolean.TRUE.equals(e.getBoolean("purged"))).toList();
    long purgedSources = purges.stream().map(e -> e.getString("source_id")).distinct().count();
    List<JsonObject> errors = deleted.stream().filter(e -> e.getString("error") != null).toList();
    if (purgedSources != sources || !errors.isEmpty()) {
      problems.add(
          "cycle "
              + cycle
              + ": "
              + purgedSources
              + " of "
              + sources
              + " sources purged, "
              + errors.size()
              + " delete jobs failed"
              + (errors.isEmpty() ? "" : ", first: " + errors.get(0)));
    }
    if (purges.size() > purgedSources) {
      // A delete job asks whether the source is still in use when it runs; when the fetcher
      // lags behind the HTTP deletes, several jobs of one source can all find it unused.
      notes.add(
          "cycle "
              + cycle
              + ": "
              + purges.size()
              + " purging delete jobs for "
              + purgedSources
              + " sources ("
              + (purges.size() - purgedSources)
              + " purged a source that an earlier job had "
              + "already purged)");
    }
  }

  /**
   * With every sync finished no git lock file should be left in a clone; JGit's would block its own
   * gc.
   */
  private void noteLockFiles(TestNode node, int cycle) throws IOException {
    List<Path> locks = lockFiles(node.gitSources());
    if (!locks.isEmpty()) {
      notes.add(
          "cycle "
              + cycle
              + " during: "
              + locks.size()
              + " lock files in "
              + sources
              + " idle clones, e.g. "
              + node.gitSources().relativize(locks.get(0)));
    }
  }

  /**
   * Counts JGit's LockFile errors instead of printing their stack traces between the rows (a
   * background auto-gc racing a clone's move into place logs one per clone).
   */
  private static final class LockFileErrors extends AppenderBase<ILoggingEvent> {
    private static final String LOGGER = "org.eclipse.jgit.internal.storage.file.LockFile";
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicReference<String> first = new AtomicReference<>();
    private final Logger logger;

    private LockFileErrors(Logger logger) {
      this.logger = logger;
    }

    static LockFileErrors capture() {
      Logger logger = (Logger) LoggerFactory.getLogger(LOGGER);
      LockFileErrors errors = new LockFileErrors(logger);
      errors.setContext(logger.getLoggerContext());
      errors.start();
      logger.addAppender(errors);
      logger.setAdditive(false);
      return errors;
    }

    @Override
    protected void append(ILoggingEvent event) {
      if (event.getLevel().isGreaterOrEqual(Level.ERROR)) {
        count.incrementAndGet();
        first.compareAndSet(
            null,
            event.getFormattedMessage()
                + (event.getThrowableProxy() == null
                    ? ""
                    : " ("
                        + event.getThrowableProxy().getClassName()
                        + ": "
                        + event.getThrowableProxy().getMessage()
                        + ", thread "
                        + event.getThreadName()
                        + ")"));
      }
    }

    int count() {
      return count.get();
    }

    String first() {
      return first.get();
    }

    void release() {
      logger.detachAppender(this);
      logger.setAdditive(true);
      stop();
    }
  }

  /** Lock files under the clone root: with every sync finished, none should be left. */
  private static List<Path> lockFiles(Path clones) throws IOException {
    if (!Files.isDirectory(clones)) {
      return List.of();
    }
    try (var walk = Files.walk(clones)) {
      return walk.filter(p -> p.getFileName().toString().endsWith(".lock")).sorted().toList();
    }
  }

  /**
   * GETs the policy of a few scopes spread over the range; each must be 200 and carry its source's
   * package.
   */
  private void sampleBundles(TestNode node, int cycle) throws Exception {
    for (int k = 0; k < BUNDLE_SAMPLES; k++) {
      int i = (int) ((long) k * (scopes - 1) / Math.max(1, BUNDLE_SAMPLES - 1));
      HttpResponse<String> r = node.request("GET", "/scopes/" + scopeId(i) + "/policy", null);
      expectStatus(200, r, "cycle " + cycle + ": GET policy of " + scopeId(i));
      String pkg = packageOf(i % sources);
      if (!r.body().contains(pkg)) {
        throw new IllegalStateException(
            "cycle " + cycle + ": the policy of " + scopeId(i) + " lacks package " + pkg);
      }
    }
  }

  private Reading record(
      TestNode node, int cycle, String phase, double wallSeconds, boolean countsMustBeZero)
      throws Exception {
    clearEventLogs(node);
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    awaitSteadyRss();
    JsonObject stats = node.stats();
    Map<String, Integer> threads = threadsByName();
    if (baselineThreads == null) {
      baselineThreads = threads;
    }
    latestThreads = threads;
    Reading r =
        Reading.of(
            cycle,
            phase,
            wallSeconds,
            stats,
            FdCount.read(node.gitSources()),
            nodeThreads(threads),
            JvmMemory.read());
    readings.add(r);
    System.out.printf(
        Locale.ROOT,
        "| %d | %s | %.1f | %.1f | %.0f | %.0f | %.0f | %.0f | %.0f | %d | %d | %d | %d | %s |%n",
        cycle,
        phase,
        wallSeconds,
        r.heapMb(),
        r.jvm().heapCommittedMb(),
        r.jvm().nonHeapMb(),
        r.jvm().directMb(),
        r.rssMb(),
        r.jvm().rssAnonMb(),
        r.openFds(),
        r.fds().inClones(),
        r.threads(),
        r.count(StatsFields.SCOPES),
        String.join(
            " | ",
            PER_SOURCE_COUNTS.stream().map(k -> mark(r.count(k), countsMustBeZero)).toList()));
    return r;
  }

  /**
   * Waits until RSS stops moving (five reads 100 ms apart within 1 MB; at most 15 s). G1 gives the
   * heap it shrank at a GC back to the OS concurrently, so RSS read at once still holds hundreds of
   * MB the JVM already counts as uncommitted.
   */
  private static void awaitSteadyRss() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    long last = ProcessStats.rssKb();
    int steady = 0;
    while (steady < 5 && System.nanoTime() < deadline) {
      Thread.sleep(100);
      long now = ProcessStats.rssKb();
      steady = Math.abs(now - last) < 1024 ? steady + 1 : 0;
      last = now;
    }
  }

  /**
   * Live threads by name with digits masked ("vert.x-worker-thread-#"), so pools read as one line.
   */
  private static Map<String, Integer> threadsByName() {
    Map<String, Integer> byName = new TreeMap<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      byName.merge(t.getName().replaceAll("[0-9]+", "#"), 1, Integer::sum);
    }
    return byName;
  }

  /** Threads of the node: the load client's own (its lanes, the JDK HttpClient's) are left out. */
  private static int nodeThreads(Map<String, Integer> byName) {
    return byName.entrySet().stream()
        .filter(e -> !e.getKey().equals(CLIENT_THREAD) && !e.getKey().startsWith("HttpClient-"))
        .mapToInt(Map.Entry::getValue)
        .sum();
  }

  /** A count that must be 0 and is not is shown in bold, so it stands out in the table. */
  private static String mark(int count, boolean mustBeZero) {
    return mustBeZero && count != 0 ? "**" + count + "**" : String.valueOf(count);
  }

  private void expect(Reading r, String field, int expected) {
    int actual = r.count(field);
    if (actual != expected) {
      problems.add(
          "cycle "
              + r.cycle()
              + " "
              + r.phase()
              + ": "
              + field
              + " = "
              + actual
              + ", expected "
              + expected
              + " ("
              + String.join(", ", COUNTS.stream().map(k -> k + "=" + r.count(k)).toList())
              + ")");
    }
  }

  private void printSummary() {
    Reading baseline = readings.get(0);
    List<Reading> afters = readings.stream().filter(r -> r.phase().equals("after")).toList();
    Reading last = afters.get(afters.size() - 1);
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "After the last cycle vs the baseline (one warm-up scope, deleted): heap %+.1f MB, "
            + "RSS %+.1f MB, open fds %+d, threads %+d. Per-cycle slope over the `after` rows: heap %+.2f MB, "
            + "RSS %+.2f MB, fds %+.2f.%n",
        last.heapMb() - baseline.heapMb(),
        last.rssMb() - baseline.rssMb(),
        last.openFds() - baseline.openFds(),
        last.threads() - baseline.threads(),
        slope(afters, Reading::heapMb),
        slope(afters, Reading::rssMb),
        slope(afters, r -> r.openFds()));
    Map<String, Integer> before = baselineThreads;
    Map<String, Integer> now = latestThreads;
    Set<String> names = new TreeSet<>(before.keySet());
    names.addAll(now.keySet());
    List<String> changed =
        names.stream()
            .filter(n -> !before.getOrDefault(n, 0).equals(now.getOrDefault(n, 0)))
            .map(n -> "`" + n + "` " + before.getOrDefault(n, 0) + " → " + now.getOrDefault(n, 0))
            .toList();
    System.out.println(
        "Threads that differ from the baseline at the last reading: "
            + (changed.isEmpty() ? "none" : String.join(", ", changed))
            + ".");
    printGrowth("what the churn left behind", 0, cycles);
    if (cycles >= 2) {
      printGrowth("growth after the first cycle", 1, cycles);
    }
  }

  private static void printGrowth(String what, int from, int to) {
    System.out.println();
    String start = from == 0 ? "baseline" : "after cycle " + from;
    System.out.println(
        "Live heap by class, "
            + what
            + ": "
            + start
            + " → after cycle "
            + to
            + " (largest growth; "
            + "the load client's objects count too; full histograms in "
            + OUT
            + "):");
    System.out.println();
    System.out.println("| class | bytes | Δ bytes | instances | Δ instances |");
    System.out.println("|---|---|---|---|---|");
    try {
      Histogram.load(histogramFile(to))
          .growthOver(Histogram.load(histogramFile(from)), 10)
          .forEach(System.out::println);
    } catch (IOException e) {
      System.out.println("(histograms unreadable: " + e + ")");
    }
  }

  private static Path histogramFile(int cycle) {
    return OUT.resolve(
        cycle == 0 ? "soak-histogram-baseline.txt" : "soak-histogram-after-" + cycle + ".txt");
  }

  /**
   * A live-object class histogram of this JVM (jcmd GC.class_histogram, which collects first). Kept
   * on disk between cycles, so holding it does not show in the next reading.
   */
  private record Histogram(Map<String, long[]> byClass) {
    private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

    static void save(Path file) throws Exception {
      String text =
          (String)
              ManagementFactory.getPlatformMBeanServer()
                  .invoke(
                      new ObjectName("com.sun.management:type=DiagnosticCommand"),
                      "gcClassHistogram",
                      new Object[] {new String[0]},
                      new String[] {String[].class.getName()});
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    static Histogram load(Path file) throws IOException {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      Map<String, long[]> byClass = new HashMap<>();
      for (String line : text.split("\n")) {
        Matcher m = ROW.matcher(line);
        if (m.find()) {
          byClass.merge(
              m.group(3),
              new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))},
              (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
        }
      }
      return new Histogram(byClass);
    }

    /** Markdown rows of the classes whose live bytes grew most since {@code earlier}. */
    List<String> growthOver(Histogram earlier, int limit) {
      record Growth(String name, long bytes, long moreBytes, long instances, long moreInstances) {}
      return byClass.entrySet().stream()
          .map(
              e -> {
                long[] now = e.getValue();
                long[] was = earlier.byClass().getOrDefault(e.getKey(), new long[2]);
                return new Growth(e.getKey(), now[1], now[1] - was[1], now[0], now[0] - was[0]);
              })
          .filter(g -> g.moreBytes() > 0)
          .sorted(Comparator.comparingLong(Growth::moreBytes).reversed())
          .limit(limit)
          .map(
              g ->
                  String.format(
                      Locale.ROOT,
                      "| `%s` | %,d | %+,d | %,d | %+,d |",
                      g.name(),
                      g.bytes(),
                      g.moreBytes(),
                      g.instances(),
                      g.moreInstances()))
          .toList();
    }
  }

  /** Least-squares slope of a series over cycles; 0 for fewer than two points. */
  private static double slope(List<Reading> rs, ToDoubleFunction<Reading> y) {
    if (rs.size() < 2) {
      return 0;
    }
    double mx = rs.stream().mapToDouble(Reading::cycle).average().orElse(0);
    double my = rs.stream().mapToDouble(y).average().orElse(0);
    double num = 0;
    double den = 0;
    for (Reading r : rs) {
      num += (r.cycle() - mx) * (y.applyAsDouble(r) - my);
      den += (r.cycle() - mx) * (r.cycle() - mx);
    }
    return num / den;
  }

  private void writeCsv(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    StringBuilder csv =
        new StringBuilder(
            "cycle,phase,wall_s,heap_used_mb,heap_committed_mb,non_heap_mb,direct_mb,"
                + "rss_mb,rss_anon_mb,open_fds,sockets,fds_in_clones,node_threads,scopes,"
                + String.join(",", PER_SOURCE_COUNTS)
                + "\n");
    for (Reading r : readings) {
      csv.append(
          String.format(
              Locale.ROOT,
              "%d,%s,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%d,%d,%d,%d,%d",
              r.cycle(),
              r.phase(),
              r.wallSeconds(),
              r.heapMb(),
              r.jvm().heapCommittedMb(),
              r.jvm().nonHeapMb(),
              r.jvm().directMb(),
              r.rssMb(),
              r.jvm().rssAnonMb(),
              r.openFds(),
              r.fds().sockets(),
              r.fds().inClones(),
              r.threads(),
              r.count(StatsFields.SCOPES)));
      for (String count : PER_SOURCE_COUNTS) {
        csv.append(',').append(r.count(count));
      }
      csv.append('\n');
    }
    Files.writeString(file, csv, StandardCharsets.UTF_8);
  }

  /** x = cycle (0 = baseline); one panel per series, `after` solid, `during` dashed. */
  private void writePlot(Path file) throws IOException {
    Map<Integer, Reading> after = new TreeMap<>();
    Map<Integer, Reading> during = new TreeMap<>();
    for (Reading r : readings) {
      (r.phase().equals("during") ? during : after).put(r.cycle(), r);
    }
    int last = readings.get(readings.size() - 1).cycle();
    double[] x = new double[last + 1];
    for (int c = 0; c <= last; c++) {
      x[c] = c;
    }
    String afterName = "after deletes (0 scopes)";
    String duringName = String.format(Locale.ROOT, "during (%,d scopes synced)", scopes);
    List<LinePlot.Panel> panels =
        List.of(
            panel(
                "Heap used after GC",
                "MB",
                afterName,
                duringName,
                after,
                during,
                last,
                Reading::heapMb,
                LinePlot.BLUE),
            panel(
                "Resident set size",
                "MB",
                afterName,
                duringName,
                after,
                during,
                last,
                Reading::rssMb,
                LinePlot.PURPLE),
            panel(
                "Open file descriptors",
                "count",
                afterName,
                duringName,
                after,
                during,
                last,
                r -> r.openFds(),
                LinePlot.GREEN));
    String title =
        String.format(
            Locale.ROOT,
            "scopesync soak: %,d scopes over %,d git sources, %d cycles",
            scopes,
            sources,
            cycles);
    String subtitle =
        "Each cycle PUTs every scope, waits for its sync, then DELETEs every scope. Whole JVM "
            + "(node + load client), read after 3 × System.gc() once RSS has settled.";
    LinePlot.of(title, "cycle (0 = baseline after one warm-up scope)", x, panels)
        .withSubtitle(subtitle)
        .writePng(file, 1100, 900);
  }

  private static LinePlot.Panel panel(
      String title,
      String unit,
      String afterName,
      String duringName,
      Map<Integer, Reading> after,
      Map<Integer, Reading> during,
      int last,
      ToDoubleFunction<Reading> value,
      Color color) {
    double[] a = new double[last + 1];
    double[] d = new double[last + 1];
    for (int c = 0; c <= last; c++) {
      a[c] = after.containsKey(c) ? value.applyAsDouble(after.get(c)) : Double.NaN;
      d[c] = during.containsKey(c) ? value.applyAsDouble(during.get(c)) : Double.NaN;
    }
    return new LinePlot.Panel(
        title,
        unit,
        List.of(
            LinePlot.Series.solid(afterName, color, a),
            LinePlot.Series.dashed(duringName, LinePlot.ORANGE, d)));
  }

  // --- load ------------------------------------------------------------------------------

  private interface Request {
    void send(int scopeIndex) throws Exception;
  }

  /** Sends one request per scope from {@link #LANES} threads; the first failure ends the phase. */
  private void inLanes(String what, Request request) throws Exception {
    AtomicInteger next = new AtomicInteger();
    AtomicReference<Exception> failure = new AtomicReference<>();
    List<Future<?>> running = new ArrayList<>();
    for (int lane = 0; lane < LANES; lane++) {
      running.add(
          lanes.submit(
              () -> {
                for (int i = next.getAndIncrement();
                    i < scopes && failure.get() == null;
                    i = next.getAndIncrement()) {
                  try {
                    request.send(i);
                  } catch (Exception e) {
                    failure.compareAndSet(null, e);
                  }
                }
              }));
    }
    for (Future<?> lane : running) {
      lane.get();
    }
    if (failure.get() != null) {
      throw new IllegalStateException(what + " phase failed", failure.get());
    }
  }

  private static void expectStatus(int expected, HttpResponse<String> response, String what) {
    if (response.statusCode() != expected) {
      throw new IllegalStateException(what + ": " + response.statusCode() + " " + response.body());
    }
  }

  private static void clearEventLogs(TestNode node) {
    node.synced.clear();
    node.deleted.clear();
    node.policyUpdated.clear();
  }

  // --- remotes ---------------------------------------------------------------------------

  private static String sourceName(int source) {
    return String.format(Locale.ROOT, "src-%04d", source);
  }

  private static String scopeId(int scope) {
    return "soak-" + scope;
  }

  private static String packageOf(int source) {
    return "soak.s" + source + ".authz";
  }

  /**
   * A bare repository with one commit on main, written object by object with JGit: no working tree
   * and no push, so hundreds of remotes take seconds. Each source has its own packages, so a bundle
   * served for the wrong source is caught.
   */
  private static void createRemote(Path bare, int source) throws IOException {
    try (Repository repo = new FileRepositoryBuilder().setGitDir(bare.toFile()).setBare().build()) {
      repo.create(true);
      RefUpdate.Result head = repo.updateRef(Constants.HEAD).link("refs/heads/main");
      if (head != RefUpdate.Result.NEW && head != RefUpdate.Result.FORCED) {
        throw new IOException(bare + ": HEAD -> main: " + head);
      }
      try (ObjectInserter inserter = repo.newObjectInserter()) {
        DirCache index = DirCache.newInCore();
        DirCacheBuilder builder = index.builder();
        String pkg = packageOf(source);
        add(
            builder,
            inserter,
            "authz/allow.rego",
            "package "
                + pkg
                + "\n\ndefault allow = false\n\nallow {\n"
                + "  input.user == data."
                + pkg
                + ".admins[_]\n}\n");
        add(
            builder,
            inserter,
            "authz/data.json",
            "{\"admins\": [\"alice\", \"user-" + source + "\"]}\n");
        add(
            builder,
            inserter,
            "roles/roles.rego",
            "package soak.s" + source + ".roles\n\nreaders := {\"bob\"}\n");
        builder.finish();
        PersonIdent who = new PersonIdent("soak", "soak@example.com");
        CommitBuilder commit = new CommitBuilder();
        commit.setTreeId(index.writeTree(inserter));
        commit.setAuthor(who);
        commit.setCommitter(who);
        commit.setMessage("policies of source " + source + "\n");
        ObjectId id = inserter.insert(commit);
        inserter.flush();
        RefUpdate main = repo.updateRef("refs/heads/main");
        main.setNewObjectId(id);
        main.setExpectedOldObjectId(ObjectId.zeroId());
        RefUpdate.Result result = main.update();
        if (result != RefUpdate.Result.NEW) {
          throw new IOException(bare + ": refs/heads/main: " + result);
        }
      }
    }
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

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }
}
