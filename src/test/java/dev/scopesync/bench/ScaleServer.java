package dev.scopesync.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One scopesync server in a JVM of its own ({@code java -Xmx1g … dev.scopesync.Main --conf}), for
 * {@link ScaleBench}: its output is appended to one log file after a marker line, and it is probed
 * with a JDK HttpClient used from one thread at a time ({@code /ready}, {@code /internal/stats},
 * {@code /metrics}, {@code /proc/<pid>}).
 */
final class ScaleServer {
  private final String label;
  private final int port;
  private final Process process;
  private final long startedNanos;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private ScaleServer(String label, int port, Process process, long startedNanos) {
    this.label = label;
    this.port = port;
    this.process = process;
    this.startedNanos = startedNanos;
  }

  /**
   * Starts the process (its output appended to {@code log} after a marker); does not wait for it to
   * serve.
   */
  static ScaleServer start(String label, Path confFile, int port, Path log) throws IOException {
    Files.createDirectories(log.toAbsolutePath().getParent());
    Files.writeString(
        log,
        "=== scale bench: " + label + " — server process starting at " + Instant.now() + " ===\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    List<String> command = new ArrayList<>(List.of(JdkTools.java(), "-Xmx1g"));
    for (String property : new String[] {"logback.configurationFile", "java.io.tmpdir"}) {
      if (System.getProperty(property) != null) {
        command.add("-D" + property + "=" + System.getProperty(property));
      }
    }
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            "dev.scopesync.Main",
            "--conf",
            confFile.toString()));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().keySet().removeIf(k -> k.startsWith("SCOPESYNC_"));
    long t0 = System.nanoTime();
    Process process = builder.start();
    return new ScaleServer(label, port, process, t0);
  }

  int port() {
    return port;
  }

  /** System.nanoTime() just before the process was started. */
  long startedNanos() {
    return startedNanos;
  }

  long pid() {
    return process.pid();
  }

  /** Polls {@code /ready} every 20 ms; the seconds from the process start to its first 200. */
  double awaitReady(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            label + ": server exited with " + process.exitValue() + " before /ready");
      }
      try {
        if (send("GET", "/ready", null, Duration.ofSeconds(2)).statusCode() == 200) {
          return (System.nanoTime() - startedNanos) / 1e9;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException(label + ": server not ready within " + timeout);
  }

  /** SIGTERM (the shutdown hook runs) and wait; the seconds it took to exit. */
  double stop(Duration timeout) throws InterruptedException {
    if (!process.isAlive()) {
      return 0;
    }
    long t0 = System.nanoTime();
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      System.err.println(label + ": server did not stop within " + timeout + " of SIGTERM: killed");
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      return -1;
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  /** Kills the process if it is still running (after a failure). */
  void kill() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  JsonObject stats() throws Exception {
    HttpResponse<String> response = get("/internal/stats");
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          label + ": /internal/stats: " + response.statusCode() + " " + response.body());
    }
    return new JsonObject(response.body());
  }

  /** {@code /internal/stats} right after two full GCs of the server ({@code jcmd <pid> GC.run}). */
  JsonObject statsAfterGc() throws Exception {
    for (int i = 0; i < 2; i++) {
      Process jcmd =
          new ProcessBuilder(JdkTools.jcmd(), Long.toString(pid()), "GC.run")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!jcmd.waitFor(120, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
        throw new IllegalStateException("jcmd " + pid() + " GC.run failed");
      }
    }
    return stats();
  }

  /** {@code jcmd <pid> Thread.print} into {@code file}. */
  void threadDump(Path file) throws Exception {
    Process jcmd =
        new ProcessBuilder(JdkTools.jcmd(), Long.toString(pid()), "Thread.print")
            .redirectErrorStream(true)
            .redirectOutput(file.toFile())
            .start();
    jcmd.waitFor(60, TimeUnit.SECONDS);
  }

  String metrics() throws Exception {
    HttpResponse<String> response = get("/metrics");
    if (response.statusCode() != 200) {
      throw new IllegalStateException(label + ": /metrics: " + response.statusCode());
    }
    return response.body();
  }

  /**
   * The value of the first series of {@code text} whose line starts with {@code prefix}; -1 if
   * none.
   */
  static double metric(String text, String prefix) {
    for (String line : text.split("\n")) {
      if (line.startsWith(prefix)) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return -1;
  }

  /**
   * Sum of every series of {@code family} (e.g. {@code scopesync_git_operations_total}) whose
   * labels contain all of {@code labels}.
   */
  static double sum(String text, String family, String... labels) {
    double total = 0;
    for (String line : text.split("\n")) {
      if (!line.startsWith(family + "{") && !line.startsWith(family + " ")) {
        continue;
      }
      boolean all = true;
      for (String label : labels) {
        all &= line.contains(label);
      }
      if (all) {
        total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  }

  /**
   * {@code scopesync_scopes_synced_within{seconds="+Inf"}}: scopes synced at least once by this
   * process.
   */
  long syncedScopes() throws Exception {
    return (long) metric(metrics(), "scopesync_scopes_synced_within{seconds=\"+Inf\"}");
  }

  long threads() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
      if (line.startsWith("Threads:")) {
        return Long.parseLong(line.substring("Threads:".length()).trim());
      }
    }
    return -1;
  }

  /** The server's open descriptors from {@code /proc/<pid>/fd}: {sockets, the rest}. */
  int[] fds() throws IOException {
    int sockets = 0;
    int other = 0;
    try (DirectoryStream<Path> fds =
        Files.newDirectoryStream(Path.of("/proc", Long.toString(pid()), "fd"))) {
      for (Path fd : fds) {
        String target;
        try {
          target = Files.readSymbolicLink(fd).toString();
        } catch (IOException e) {
          continue; // closed meanwhile
        }
        if (target.startsWith("socket:")) {
          sockets++;
        } else {
          other++;
        }
      }
    }
    return new int[] {sockets, other};
  }

  HttpResponse<String> get(String path) throws Exception {
    return send("GET", path, null, Duration.ofSeconds(60));
  }

  /**
   * One request; an I/O failure is retried twice (the server closes a kept-alive connection idle
   * for {@code http.headerTimeoutSeconds}, and a request may cross that close).
   */
  HttpResponse<String> send(String method, String path, String body, Duration timeout)
      throws Exception {
    IOException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        HttpRequest.Builder builder =
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(timeout)
                .method(
                    method,
                    body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
          builder.header("Content-Type", "application/json");
        }
        return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        last = e;
        if (!process.isAlive()) {
          break;
        }
        if (path.equals("/ready")) {
          throw e; // the caller polls
        }
        Thread.sleep(100);
      }
    }
    throw last;
  }
}
