package dev.scopesync.testing;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A scopesync server in its own process, started the way a user starts it: {@code scripts/run.sh
 * --conf <file>} from the project directory. Reads the process's own figures from {@code /proc}
 * (RSS, threads, CPU time) and stops it with SIGTERM, waiting for it, so no server outlives a test.
 */
public final class ServerProcess implements AutoCloseable {
  /**
   * The project directory (where {@code scripts/run.sh} is): the working directory of tests and
   * benchmarks.
   */
  public static final Path PROJECT = Path.of("").toAbsolutePath();

  private static final long CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

  private final Process process;
  private final int port;
  private final Path log;
  private final long startedNanos;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private ServerProcess(Process process, int port, Path log, long startedNanos) {
    this.process = process;
    this.port = port;
    this.log = log;
    this.startedNanos = startedNanos;
  }

  /**
   * Writes {@code config} to {@code dir/config.json} and starts {@code scripts/run.sh --conf} on
   * it.
   *
   * @param config must set {@code http.port} (a free port) and the store and git directories
   * @param env added to this process's environment, less its {@code SCOPESYNC_*} variables (a value
   *     of null removes a variable)
   */
  public static ServerProcess start(Path dir, JsonObject config, Map<String, String> env)
      throws IOException {
    return start(PROJECT, dir, config, env);
  }

  /**
   * As {@link #start(Path, JsonObject, Map)}, with the {@code scripts/run.sh} of another project
   * directory (a copy with its own {@code target/}).
   */
  public static ServerProcess start(
      Path project, Path dir, JsonObject config, Map<String, String> env) throws IOException {
    Files.createDirectories(dir);
    Path configFile = dir.resolve("config.json");
    Files.writeString(configFile, config.encodePrettily());
    Path log = dir.resolve("server-" + System.nanoTime() + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(
                project.resolve("scripts/run.sh").toString(), "--conf", configFile.toString())
            .directory(project.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("SCOPESYNC_"));
    env.forEach(
        (name, value) -> {
          if (value == null) {
            builder.environment().remove(name);
          } else {
            builder.environment().put(name, value);
          }
        });
    int port = config.getJsonObject("http").getInteger("port");
    probe(port, "/ready"); // loads the probe's classes here, not while the server's start is timed
    long started = System.nanoTime();
    return new ServerProcess(builder.start(), port, log, started);
  }

  /** A config with a free loopback port and its store and clones under {@code dir}. */
  public static JsonObject config(Path dir) throws IOException {
    return new JsonObject()
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", GitDaemon.freePort()))
        .put("store", new JsonObject().put("dir", dir.resolve("scopes").toString()))
        .put("git", new JsonObject().put("baseDir", dir.resolve("data").toString()));
  }

  /**
   * Waits until {@code GET /ready} answers 200.
   *
   * @return the time from the process start to that answer
   */
  public Duration awaitReady(Duration limit) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("the server exited with " + process.exitValue() + ":\n" + log());
      }
      if (probe(port, "/ready") == 200) {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
      }
      Thread.sleep(5);
    }
    throw new IOException("the server was not ready within " + limit + ":\n" + log());
  }

  /**
   * {@code GET path} over a plain socket, as cheap as curl (a JDK HttpClient's first request in a
   * fresh JVM takes longer than the server's start); the status, or -1 when nothing answered.
   */
  private static int probe(int port, String path) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
      socket.setSoTimeout(5_000);
      socket
          .getOutputStream()
          .write(
              ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      byte[] head = socket.getInputStream().readNBytes(12);
      String status = new String(head, StandardCharsets.US_ASCII);
      return status.startsWith("HTTP/1.1 ") && status.length() == 12
          ? Integer.parseInt(status.substring(9))
          : -1;
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }

  /**
   * The status of a GET over a plain socket, or -1: what a benchmark polls with, so that the
   * measured time is the server's and not a cold HTTP client's (the JDK's costs tens of ms of CPU
   * on its first requests, on the same two cores as the server).
   */
  public int probe(String path) {
    return probe(port, path);
  }

  /** The status of a request, or -1 when the connection failed. */
  public int status(String method, String path) throws InterruptedException {
    return send(method, path, null).statusCode();
  }

  public HttpResponse<String> send(String method, String path, String jsonBody)
      throws InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .method(
                method,
                jsonBody == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(jsonBody))
            .build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return new Failed(request);
    }
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Resident set size in kB ({@code VmRSS}). */
  public long rssKb() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid()), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IOException("no VmRSS for " + pid());
  }

  /** The process's threads. */
  public int threads() throws IOException {
    try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid()), "task"))) {
      return (int) tasks.count();
    }
  }

  /** The process's threads by name (the kernel's 15-character name), each with its count. */
  public Map<String, Integer> threadNames() throws IOException {
    Map<String, Integer> names = new TreeMap<>();
    try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid()), "task"))) {
      for (Path task : tasks.toList()) {
        try {
          names.merge(Files.readString(task.resolve("comm")).strip(), 1, Integer::sum);
        } catch (IOException e) {
          // the thread ended meanwhile
        }
      }
    }
    return names;
  }

  /** User plus system CPU seconds the process has used ({@code /proc/<pid>/stat} utime + stime). */
  public double cpuSeconds() throws IOException {
    String stat = Files.readString(Path.of("/proc", String.valueOf(pid()), "stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // After the command name: state is field 3, utime 14 and stime 15 (1-based, proc(5)).
    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    return ticks / (double) CLOCK_TICKS_PER_SECOND;
  }

  /** What the server and run.sh printed so far. */
  public String log() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  /** Stops the server with SIGTERM (its shutdown hook runs) and waits for it; the exit status. */
  public int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    return process.exitValue();
  }

  /**
   * Kills the server with SIGKILL ({@code kill -9}: no shutdown hook, no leave; its sockets are
   * dropped by the kernel) and waits for it to be gone.
   */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      stop();
    }
  }

  /** The answer of a request that could not connect: status -1. */
  private record Failed(HttpRequest request) implements HttpResponse<String> {
    @Override
    public int statusCode() {
      return -1;
    }

    @Override
    public java.util.Optional<HttpResponse<String>> previousResponse() {
      return java.util.Optional.empty();
    }

    @Override
    public java.net.http.HttpHeaders headers() {
      return java.net.http.HttpHeaders.of(Map.of(), (a, b) -> true);
    }

    @Override
    public String body() {
      return "";
    }

    @Override
    public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
      return java.util.Optional.empty();
    }

    @Override
    public URI uri() {
      return request.uri();
    }

    @Override
    public HttpClient.Version version() {
      return HttpClient.Version.HTTP_1_1;
    }
  }

  /** Lines of the log that contain {@code text}. */
  public List<String> logLines(String text) throws IOException {
    List<String> lines = new ArrayList<>();
    for (String line : log().split("\n")) {
      if (line.contains(text)) {
        lines.add(line);
      }
    }
    return lines;
  }
}
