package dev.scopesync.bench;

import dev.scopesync.testing.GitDaemon;
import dev.scopesync.testing.ServerProcess;
import dev.scopesync.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.transport.RefSpec;

/**
 * Start and footprint (DESIGN §14), with the server started exactly as a user starts it: {@code
 * scripts/run.sh --conf <file>} in its own process. Measures process start to {@code /ready}; from
 * {@code /ready} to every one of 50 scopes (each on its own git-daemon repository, fresh clones, in
 * the config file) served; the CPU the process used by then; RSS and threads idle, with 50 and with
 * 200 synced idle scopes; and, in the same run against the same daemon, the git CLI cloning the
 * same 50 repositories 8 at a time.
 *
 * <p>Usage: {@code StartBench [scopes=50] [more=200] [starts=3]}.
 */
public final class StartBench {
  private static final Duration SETTLE = Duration.ofSeconds(3);
  private static final Duration LIMIT = Duration.ofMinutes(3);

  public static void main(String[] args) throws Exception {
    int scopes = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    int more = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    int starts = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    Path dir = Files.createTempDirectory("scopesync-start-bench");
    Path logs = Files.createDirectories(Path.of("target/bench"));
    try {
      Path remotes = makeRepositories(dir, Math.max(scopes, more));
      try (GitDaemon daemon = GitDaemon.start(remotes)) {
        // The first start after a build makes the class-data archive: not what is measured.
        String first = firstStart(dir.resolve("first"));
        double git1 = gitClones(daemon, dir.resolve("cli-1"), scopes);

        List<Double> idleReady = new ArrayList<>();
        long idleRss = 0;
        int idleThreads = 0;
        for (int i = 0; i < starts; i++) {
          try (ServerProcess server =
              ServerProcess.start(
                  dir.resolve("idle-" + i),
                  ServerProcess.config(dir.resolve("idle-" + i)),
                  Map.of())) {
            idleReady.add(server.awaitReady(LIMIT).toNanos() / 1e9);
            Thread.sleep(SETTLE.toMillis());
            idleRss = Math.max(idleRss, server.rssKb());
            idleThreads = Math.max(idleThreads, server.threads());
            copyLog(server, logs.resolve("start-idle.log"));
          }
        }

        Path node = dir.resolve("node");
        JsonObject config = ServerProcess.config(node);
        JsonArray configured = new JsonArray();
        for (int r = 0; r < scopes; r++) {
          configured.add(TestNode.scope("s" + r, daemon.url("r" + r)));
        }
        config.put("scopes", configured);
        double ready;
        double served;
        double cpu;
        long rss50;
        int threads50;
        long rssMore;
        int threadsMore;
        int threadsRested;
        double git2;
        try (ServerProcess server = ServerProcess.start(node, config, Map.of())) {
          ready = server.awaitReady(LIMIT).toNanos() / 1e9;
          long t0 = System.nanoTime();
          awaitServed(server, 0, scopes);
          served = (System.nanoTime() - t0) / 1e9;
          cpu = server.cpuSeconds();
          Thread.sleep(SETTLE.toMillis());
          rss50 = server.rssKb();
          threads50 = server.threads();
          git2 = gitClones(daemon, dir.resolve("cli-2"), scopes);
          for (int r = scopes; r < more; r++) {
            int status =
                server
                    .send("PUT", "/scopes", TestNode.scope("s" + r, daemon.url("r" + r)).encode())
                    .statusCode();
            if (status != 201) {
              throw new IOException("PUT /scopes s" + r + " answered " + status);
            }
          }
          awaitServed(server, scopes, more);
          Thread.sleep(SETTLE.toMillis());
          rssMore = server.rssKb();
          threadsMore = server.threads();
          // Idle worker threads end after 30 s (-Dscopesync.idleThreadSeconds).
          long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
          while (server.threads() > idleThreads && System.nanoTime() < deadline) {
            Thread.sleep(500);
          }
          threadsRested = server.threads();
          copyLog(server, logs.resolve("start-scopes.log"));
        }

        double git = (git1 + git2) / 2;
        System.out.printf(
            "| measurement (scripts/run.sh, own process) | scopesync | beside |%n|---|---|---|%n");
        if (first != null) {
          System.out.printf(
              "| first start after a build: makes the class-data archive, then → `/ready` | %s | once per jar and JVM |%n",
              first);
        }
        System.out.printf(
            "| process start → `/ready`, no scopes (%d starts) | %s | target ≤ 1.0 s |%n",
            starts, seconds(idleReady));
        System.out.printf(
            "| process start → `/ready`, %d scopes in the config | %.2f s | |%n", scopes, ready);
        System.out.printf(
            "| `/ready` → all %d scopes served (fresh clones, %d git-daemon repositories) | %.2f s "
                + "| git CLI, %d clones 8 at a time: %.2f s (%.2f s, %.2f s): **%.2f×** (target ≤ 0.8×) |%n",
            scopes, scopes, served, scopes, git, git1, git2, served / git);
        System.out.printf(
            "| CPU of the server process at that point (user + system) | %.2f s | |%n", cpu);
        System.out.printf(
            "| RSS idle after start | %.1f MB | target ≤ 90 MB |%n", idleRss / 1024.0);
        System.out.printf(
            "| RSS with %d synced idle scopes | %.1f MB | target ≤ 150 MB |%n",
            scopes, rss50 / 1024.0);
        System.out.printf(
            "| RSS with %d synced idle scopes | %.1f MB | %.0f KB per scope from %d to %d (target ≤ 100 KB) |%n",
            more, rssMore / 1024.0, (rssMore - rss50) / (double) (more - scopes), scopes, more);
        System.out.printf(
            "| threads idle / with %d / with %d / %d s later | %d / %d / %d / %d | idle worker threads end |%n",
            scopes, more, 45, idleThreads, threads50, threadsMore, threadsRested);
      }
    } finally {
      delete(dir);
    }
  }

  /** One start to /ready; its time when it made the class-data archive, else null. */
  private static String firstStart(Path dir) throws Exception {
    try (ServerProcess server = ServerProcess.start(dir, ServerProcess.config(dir), Map.of())) {
      double ready = server.awaitReady(LIMIT).toNanos() / 1e9;
      return server.logLines("making the class-data archive").isEmpty()
          ? null
          : String.format("%.2f s", ready);
    }
  }

  /**
   * Waits until {@code GET /scopes/s<r>/policy} answers 200 for every r in [from, to): one scope at
   * a time, so that scopes not cloned yet are asked about once per 10 ms, not all.
   */
  private static void awaitServed(ServerProcess server, int from, int to) throws Exception {
    long deadline = System.nanoTime() + LIMIT.toNanos();
    for (int r = from; r < to; r++) {
      while (server.probe("/scopes/s" + r + "/policy") != 200) {
        if (System.nanoTime() > deadline) {
          throw new IOException(
              "scope s" + r + " not served within " + LIMIT + ":\n" + server.log());
        }
        Thread.sleep(10);
      }
    }
  }

  /**
   * {@code git clone --quiet} of the first n repositories, 8 at a time; the wall time in seconds.
   */
  private static double gitClones(GitDaemon daemon, Path into, int n) throws Exception {
    Files.createDirectories(into);
    StringBuilder urls = new StringBuilder();
    for (int r = 0; r < n; r++) {
      urls.append(daemon.url("r" + r)).append(' ').append(into.resolve("r" + r)).append('\n');
    }
    long t0 = System.nanoTime();
    Process clones =
        new ProcessBuilder("xargs", "-P", "8", "-n", "2", "git", "clone", "--quiet")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    clones.getOutputStream().write(urls.toString().getBytes());
    clones.getOutputStream().close();
    if (clones.waitFor() != 0) {
      throw new IOException("git clone failed");
    }
    double took = (System.nanoTime() - t0) / 1e9;
    delete(into);
    return took;
  }

  /**
   * n bare repositories r0..r(n-1) with the same small policy (a few rego files and a data
   * document).
   */
  private static Path makeRepositories(Path dir, int n) throws Exception {
    Path remotes = Files.createDirectories(dir.resolve("remotes"));
    Path template = dir.resolve("template");
    Path bare = remotes.resolve("r0.git");
    try (Git git = Git.init().setDirectory(template.toFile()).setInitialBranch("main").call()) {
      for (String name : new String[] {"rbac", "abac", "tenants"}) {
        Files.createDirectories(template.resolve(name));
        Files.writeString(
            template.resolve(name + "/" + name + ".rego"),
            "package app."
                + name
                + "\n\ndefault allow := false\n\nallow if input.user == \"admin\"\n");
        Files.writeString(template.resolve(name + "/data.json"), "{\"" + name + "\": [1, 2, 3]}\n");
      }
      git.add().addFilepattern(".").call();
      git.commit()
          .setMessage("init")
          .setAuthor("b", "b@example.com")
          .setCommitter("b", "b@example.com")
          .call();
      try (Git remote =
          Git.init().setBare(true).setDirectory(bare.toFile()).setInitialBranch("main").call()) {
        // No gc after the push: a background one would leave lock files while the repository is
        // copied.
        remote.getRepository().getConfig().setInt("gc", null, "auto", 0);
        remote.getRepository().getConfig().setBoolean("receive", null, "autogc", false);
        remote.getRepository().getConfig().save();
      }
      git.push()
          .setRemote(bare.toUri().toString())
          .setRefSpecs(new RefSpec("refs/heads/main:refs/heads/main"))
          .call();
    }
    for (int r = 1; r < n; r++) {
      copy(bare, remotes.resolve("r" + r + ".git"));
    }
    return remotes;
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path source : walk.toList()) {
        Files.copy(
            source,
            to.resolve(from.relativize(source).toString()),
            StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
  }

  private static String seconds(List<Double> values) {
    List<String> texts = values.stream().map(v -> String.format("%.2f s", v)).toList();
    return String.join(", ", texts);
  }

  private static void copyLog(ServerProcess server, Path to) throws IOException {
    Files.writeString(to, server.log());
  }

  private static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
