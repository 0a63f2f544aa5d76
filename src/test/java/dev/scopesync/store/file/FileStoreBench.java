package dev.scopesync.store.file;

import dev.scopesync.model.Scope;
import dev.scopesync.store.ScopeStore;
import dev.scopesync.validation.ScopeParser;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * PUT/s through the {@link FileScopeStore} API directly (no HTTP), at a few concurrencies: each
 * "client" puts a new scope as soon as its previous put is acknowledged.
 *
 * <p>Usage: {@code java -cp … dev.scopesync.store.file.FileStoreBench [seconds] [dir]
 * [concurrency…]} (default 5 s per run, a fresh directory under java.io.tmpdir, concurrencies 1 16
 * 64); {@code -Dbench.verbose=true} prints puts per second, {@code -Dcrash=true} halts the JVM
 * instead of closing the store (then {@code FileStoreBench open <dir>} times the open and its
 * journal replay). Run each concurrency in its own JVM for comparable figures.
 */
public final class FileStoreBench {
  private FileStoreBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 2 && args[0].equals("open")) {
      timeOpen(Path.of(args[1]));
      return;
    }
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    Path base = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("filestore-bench");
    int[] concurrencies =
        args.length > 2
            ? Stream.of(args).skip(2).mapToInt(Integer::parseInt).toArray()
            : new int[] {1, 16, 64};
    ScopeParser parser = ScopeParser.forStoredScopes();
    Vertx vertx = Vertx.vertx();
    try {
      System.out.println(
          "| concurrency | PUT/s | scopes | ms per put (mean) | journal forces | close s |");
      System.out.println("|---:|---:|---:|---:|---:|---:|");
      for (int concurrency : concurrencies) {
        Path dir = base.resolve("c" + concurrency);
        ScopeStore store = FileScopeStore.open(vertx, dir, parser).await(60, TimeUnit.SECONDS);
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(concurrency);
        long start = System.nanoTime();
        for (int c = 0; c < concurrency; c++) {
          int client = c;
          vertx.runOnContext(go -> loop(store, parser, client, 0, done, failed, stop, finished));
        }
        for (int t = 0; t < seconds; t++) {
          long before = done.get();
          Thread.sleep(1000L);
          if (Boolean.getBoolean("bench.verbose")) {
            System.err.println((done.get() - before) + " puts in the last second");
          }
        }
        stop.set(true);
        finished.await(60, TimeUnit.SECONDS);
        double elapsed = (System.nanoTime() - start) / 1e9;
        String forces =
            store instanceof FileScopeStore file ? String.valueOf(file.journalForces()) : "-";
        if (Boolean.getBoolean("crash")) {
          System.out.printf("crash after %d acknowledged puts%n", done.get());
          Runtime.getRuntime().halt(0);
        }
        long closeStart = System.nanoTime();
        store.close().await(300, TimeUnit.SECONDS);
        double closeSeconds = (System.nanoTime() - closeStart) / 1e9;
        System.out.printf(
            "| %d | %.0f | %d | %.2f | %s | %.1f |%s%n",
            concurrency,
            done.get() / elapsed,
            done.get(),
            concurrency * elapsed * 1000 / Math.max(1, done.get()),
            forces,
            closeSeconds,
            failed.get() > 0 ? " " + failed.get() + " failed" : "");
        if (args.length <= 1) {
          deleteTree(dir);
        }
      }
    } finally {
      vertx.close().await(60, TimeUnit.SECONDS);
      if (args.length <= 1) {
        deleteTree(base);
      }
    }
  }

  /** How long opening an existing store directory takes (scopes loaded, journal replayed). */
  private static void timeOpen(Path dir) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      long start = System.nanoTime();
      ScopeStore store =
          FileScopeStore.open(vertx, dir, ScopeParser.forStoredScopes())
              .await(300, TimeUnit.SECONDS);
      long opened = System.nanoTime();
      int count = store.all().await().size();
      store.close().await(300, TimeUnit.SECONDS);
      System.out.printf(
          "open: %d scopes in %.2f s; close %.2f s%n",
          count, (opened - start) / 1e9, (System.nanoTime() - opened) / 1e9);
    } finally {
      vertx.close().await(60, TimeUnit.SECONDS);
    }
  }

  private static void loop(
      ScopeStore store,
      ScopeParser parser,
      int client,
      int n,
      AtomicLong done,
      AtomicLong failed,
      AtomicBoolean stop,
      CountDownLatch finished) {
    if (stop.get()) {
      finished.countDown();
      return;
    }
    Future<Scope> put = store.put(scope(parser, "bench-" + client + "-" + n));
    put.onComplete(
        ar -> {
          (ar.succeeded() ? done : failed).incrementAndGet();
          loop(store, parser, client, n + 1, done, failed, stop, finished);
        });
  }

  static Scope scope(ScopeParser parser, String scopeId) {
    return parser.parse(
        new JsonObject()
            .put("scope_id", scopeId)
            .put(
                "policy",
                new JsonObject()
                    .put("source_type", "git")
                    .put("url", "https://git.example.com/org/" + scopeId + ".git")
                    .put("branch", "main")
                    .put("auth", new JsonObject().put("auth_type", "none"))));
  }

  private static void deleteTree(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
