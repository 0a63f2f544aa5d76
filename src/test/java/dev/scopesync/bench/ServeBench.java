package dev.scopesync.bench;

import dev.scopesync.testing.GitDaemon;
import dev.scopesync.testing.GitRemote;
import dev.scopesync.testing.ServerProcess;
import dev.scopesync.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serving at the limit (DESIGN §18): cached bundles from scopesync beside nginx serving the very
 * same bytes from the page cache (one worker, {@code sendfile on}), measured with wrk -t1 -c8 in
 * turns on the same cores: the JSON bundle (200 modules, about 50 KB), a diff from a known base,
 * {@code bundle.tar.gz}, and a 304 against nginx's 304. Three rounds, medians, the ratio. Then the
 * bytes the server's event loops allocate per cached request (ThreadMXBean) for a 50 KB and a 1 MB
 * bundle, in this JVM. scopesync runs as a user starts it ({@code scripts/run.sh}), in its own
 * process; extra JVM options for it in {@code SERVE_JAVA_OPTS}. Run with scripts/bench.sh serve.
 */
public final class ServeBench {
  private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
  private static final Pattern P50 = Pattern.compile("\\s50%\\s+([0-9.]+)(us|ms|s)");
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private record Route(String name, String scopesyncPath, String nginxPath, boolean conditional) {}

  private record Rate(double perSecond, double p50Micros) {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path dir = Path.of("target/bench/serve").toAbsolutePath();
    deleteTree(dir);
    Files.createDirectories(dir);
    new ServeBench().run(dir, seconds, rounds);
  }

  private void run(Path dir, int seconds, int rounds) throws Exception {
    Path remotes = Files.createDirectories(dir.resolve("remotes"));
    String base = makeRepository(remotes, "big", 200, 180);
    makeRepository(remotes, "huge", 400, 2_500);
    try (GitDaemon daemon = GitDaemon.start(remotes)) {
      rates(dir, daemon, base, seconds, rounds);
      System.out.println();
      allocation(dir, daemon);
    }
  }

  /**
   * A repository of {@code modules} rego files of about {@code size} bytes, two commits; answers
   * the first.
   */
  private static String makeRepository(Path remotes, String name, int modules, int size)
      throws Exception {
    try (GitRemote remote = GitRemote.create(remotes, name)) {
      Map<String, String> files = new LinkedHashMap<>();
      for (int i = 0; i < modules; i++) {
        String body =
            "package app.p"
                + i
                + "\n\ndefault allow = false\n\nallow {\n  input.user == \"u"
                + i
                + "\"\n}\n";
        StringBuilder padding = new StringBuilder();
        for (int line = 0; body.length() + padding.length() < size; line++) {
          padding
              .append("# rule ")
              .append(i)
              .append('.')
              .append(line)
              .append(" of the generated policy\n");
        }
        files.put("dir" + (i / 20) + "/p" + i + ".rego", body + padding);
      }
      String first = remote.commit("many", files);
      remote.commit(
          "one change", Map.of("dir0/p0.rego", "package app.p0\n\ndefault allow = true\n"));
      return first;
    }
  }

  // --- requests per second against nginx ------------------------------------------------------

  private void rates(Path dir, GitDaemon daemon, String base, int seconds, int rounds)
      throws Exception {
    JsonObject config = ServerProcess.config(dir.resolve("server"));
    Map<String, String> env = new LinkedHashMap<>();
    String extra = System.getenv("SERVE_JAVA_OPTS");
    if (extra != null) {
      env.put("JAVA_OPTS", extra);
    }
    try (ServerProcess server = ServerProcess.start(dir.resolve("server"), config, env)) {
      server.awaitReady(Duration.ofSeconds(120));
      String origin = "http://127.0.0.1:" + config.getJsonObject("http").getInteger("port");
      put(origin, "big", daemon.url("big"));
      awaitServed(origin + "/scopes/big/policy");
      Path html = Files.createDirectories(dir.resolve("nginx/html"));
      Map<String, HttpResponse<byte[]>> served = new LinkedHashMap<>();
      served.put("policy.json", get(origin + "/scopes/big/policy"));
      served.put("diff.json", get(origin + "/scopes/big/policy?base_hash=" + base));
      served.put("bundle.tar.gz", get(origin + "/scopes/big/bundle.tar.gz"));
      for (var e : served.entrySet()) {
        Files.write(html.resolve(e.getKey()), e.getValue().body());
      }
      String etag = served.get("policy.json").headers().firstValue("etag").orElseThrow();
      List<Route> routes =
          List.of(
              new Route(
                  "GET /scopes/big/policy (JSON, " + kb(served.get("policy.json")) + ")",
                  "/scopes/big/policy",
                  "/policy.json",
                  false),
              new Route(
                  "GET /scopes/big/policy?base_hash= (diff, " + kb(served.get("diff.json")) + ")",
                  "/scopes/big/policy?base_hash=" + base,
                  "/diff.json",
                  false),
              new Route(
                  "GET /scopes/big/bundle.tar.gz (" + kb(served.get("bundle.tar.gz")) + ")",
                  "/scopes/big/bundle.tar.gz",
                  "/bundle.tar.gz",
                  false),
              new Route(
                  "GET /scopes/big/policy, If-None-Match → 304",
                  "/scopes/big/policy",
                  "/policy.json",
                  true),
              new Route("GET /healthz (plumbing, no bundle)", "/healthz", "/healthz.txt", false));
      Files.writeString(html.resolve("healthz.txt"), "{\"status\":\"ok\"}");
      try (Nginx nginx = Nginx.start(dir.resolve("nginx"))) {
        String nginxOrigin = "http://127.0.0.1:" + nginx.port;
        String nginxEtag =
            get(nginxOrigin + "/policy.json").headers().firstValue("etag").orElseThrow();
        for (var e : served.entrySet()) {
          if (!Arrays.equals(e.getValue().body(), get(nginxOrigin + "/" + e.getKey()).body())) {
            throw new IllegalStateException(
                "nginx does not serve the same bytes for " + e.getKey());
          }
        }
        // Warm-up, not counted: two passes over every route, so C2 has compiled the whole serving
        // path (a server that has served for a minute); nginx's page cache.
        for (int pass = 0; pass < 2; pass++) {
          for (Route route : routes) {
            wrk(origin + route.scopesyncPath(), route.conditional() ? etag : null, seconds);
            wrk(nginxOrigin + route.nginxPath(), route.conditional() ? nginxEtag : null, 1);
          }
        }
        Map<Route, List<Rate>> ours = new LinkedHashMap<>();
        Map<Route, List<Rate>> theirs = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
          for (Route route : routes) {
            ours.computeIfAbsent(route, r -> new ArrayList<>())
                .add(
                    wrk(
                        origin + route.scopesyncPath(),
                        route.conditional() ? etag : null,
                        seconds));
            theirs
                .computeIfAbsent(route, r -> new ArrayList<>())
                .add(
                    wrk(
                        nginxOrigin + route.nginxPath(),
                        route.conditional() ? nginxEtag : null,
                        seconds));
          }
        }
        System.out.printf(
            "| route (wrk -t1 -c8, %d s × %d rounds, medians) | scopesync | nginx %s, same bytes | ratio | p50 scopesync / nginx |%n",
            seconds, rounds, nginx.version);
        System.out.println("|---|---|---|---|---|");
        for (Route route : routes) {
          Rate a = median(ours.get(route));
          Rate b = median(theirs.get(route));
          System.out.printf(
              "| %s | %,.0f req/s | %,.0f req/s | **%.2f×** | %.0f / %.0f µs |%n",
              route.name(),
              a.perSecond(),
              b.perSecond(),
              a.perSecond() / b.perSecond(),
              a.p50Micros(),
              b.p50Micros());
        }
        System.out.println(
            "scopesync JVM: scripts/run.sh" + (extra == null ? "" : " + JAVA_OPTS=" + extra));
      }
    }
  }

  private static String kb(HttpResponse<byte[]> response) {
    return String.format("%.1f KB", response.body().length / 1000.0);
  }

  private static Rate median(List<Rate> rates) {
    double[] perSecond = rates.stream().mapToDouble(Rate::perSecond).sorted().toArray();
    double[] p50 = rates.stream().mapToDouble(Rate::p50Micros).sorted().toArray();
    return new Rate(perSecond[perSecond.length / 2], p50[p50.length / 2]);
  }

  private static Rate wrk(String url, String ifNoneMatch, int seconds) throws Exception {
    List<String> command =
        new ArrayList<>(List.of("wrk", "-t1", "-c8", "-d" + seconds + "s", "--latency"));
    if (ifNoneMatch != null) {
      command.addAll(List.of("-H", "If-None-Match: " + ifNoneMatch));
    }
    command.add(url);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(seconds + 30L, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException("wrk failed: " + out);
    }
    if (out.contains("Non-2xx or 3xx responses") || out.contains("Socket errors")) {
      throw new IOException("wrk saw errors on " + url + ":\n" + out);
    }
    Matcher rate = RATE.matcher(out);
    Matcher p50 = P50.matcher(out);
    if (!rate.find() || !p50.find()) {
      throw new IOException("unexpected wrk output:\n" + out);
    }
    double value = Double.parseDouble(p50.group(1));
    double micros =
        switch (p50.group(2)) {
          case "us" -> value;
          case "ms" -> value * 1_000;
          default -> value * 1_000_000;
        };
    return new Rate(Double.parseDouble(rate.group(1)), micros);
  }

  // --- bytes allocated per cached request ------------------------------------------------------

  private void allocation(Path dir, GitDaemon daemon) throws Exception {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    try (TestNode node = TestNode.start(dir.resolve("alloc"))) {
      node.putAndAwaitSync(TestNode.scope("big", daemon.url("big")));
      node.putAndAwaitSync(TestNode.scope("huge", daemon.url("huge")));
      int port = node.server.httpPort();
      System.out.println(
          "| cached request (in this JVM, 20,000 after 20,000 warm-up, keep-alive) | body | bytes allocated per request on the event loops |");
      System.out.println("|---|---|---|");
      for (String path :
          List.of(
              "/scopes/big/policy",
              "/scopes/huge/policy",
              "/scopes/big/bundle.tar.gz",
              "/scopes/huge/bundle.tar.gz",
              "/healthz")) {
        try (RawClient client = new RawClient(port)) {
          int body = client.get(path, null);
          String etag = client.etag;
          client.repeat(path, null, 20_000);
          long before = eventLoopBytes(threads);
          client.repeat(path, null, 20_000);
          long perRequest = (eventLoopBytes(threads) - before) / 20_000;
          System.out.printf("| GET %s | %,d B | %,d B |%n", path, body, perRequest);
          if (!path.equals("/healthz")) {
            client.repeat(path, etag, 20_000);
            before = eventLoopBytes(threads);
            client.repeat(path, etag, 20_000);
            System.out.printf(
                "| GET %s, If-None-Match → 304 | 0 B | %,d B |%n",
                path, (eventLoopBytes(threads) - before) / 20_000);
          }
        }
      }
    }
  }

  private static long eventLoopBytes(com.sun.management.ThreadMXBean threads) {
    long sum = 0;
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.getName().startsWith("vert.x-eventloop-thread")) {
        sum += threads.getThreadAllocatedBytes(thread.getId());
      }
    }
    return sum;
  }

  /**
   * One keep-alive HTTP/1.1 connection, reading each answer by its Content-Length into one reused
   * buffer.
   */
  private static final class RawClient implements AutoCloseable {
    private final Socket socket = new Socket();
    private final OutputStream out;
    private final InputStream in;
    private byte[] buffer = new byte[1 << 16];
    String etag;

    RawClient(int port) throws IOException {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(30_000);
      out = socket.getOutputStream();
      in = socket.getInputStream();
    }

    void repeat(String path, String ifNoneMatch, int times) throws IOException {
      byte[] request = request(path, ifNoneMatch);
      for (int i = 0; i < times; i++) {
        out.write(request);
        read(false);
      }
    }

    int get(String path, String ifNoneMatch) throws IOException {
      out.write(request(path, ifNoneMatch));
      return read(true);
    }

    private static byte[] request(String path, String ifNoneMatch) {
      return ("GET "
              + path
              + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              + (ifNoneMatch == null ? "" : "If-None-Match: " + ifNoneMatch + "\r\n")
              + "\r\n")
          .getBytes(StandardCharsets.US_ASCII);
    }

    /** Reads one answer; answers its body's length. */
    private int read(boolean keepHead) throws IOException {
      int filled = 0;
      int headEnd;
      while ((headEnd = headEnd(filled)) < 0) {
        filled += fill(filled);
      }
      String head = new String(buffer, 0, headEnd, StandardCharsets.US_ASCII);
      if (!head.startsWith("HTTP/1.1 200") && !head.startsWith("HTTP/1.1 304")) {
        throw new IOException("unexpected answer: " + head);
      }
      int length = 0;
      for (String line : head.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).equalsIgnoreCase("content-length")) {
          length = Integer.parseInt(line.substring(colon + 1).trim());
        } else if (keepHead && colon > 0 && line.substring(0, colon).equalsIgnoreCase("etag")) {
          etag = line.substring(colon + 1).trim();
        }
      }
      int total = headEnd + 4 + length;
      if (buffer.length < total) {
        buffer = Arrays.copyOf(buffer, total);
      }
      while (filled < total) {
        filled += fill(filled);
      }
      return length;
    }

    private int fill(int at) throws IOException {
      if (at == buffer.length) {
        buffer = Arrays.copyOf(buffer, buffer.length * 2);
      }
      int n = in.read(buffer, at, buffer.length - at);
      if (n < 0) {
        throw new IOException("connection closed");
      }
      return n;
    }

    private int headEnd(int filled) {
      for (int i = 3; i < filled; i++) {
        if (buffer[i - 3] == '\r'
            && buffer[i - 2] == '\n'
            && buffer[i - 1] == '\r'
            && buffer[i] == '\n') {
          return i - 3;
        }
      }
      return -1;
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  // --- nginx --------------------------------------------------------------------------------

  /**
   * nginx 1.x from the Debian package, one worker, sendfile, on a free loopback port, in its own
   * prefix.
   */
  private static final class Nginx implements AutoCloseable {
    final int port;
    final String version;
    private final Process process;

    private Nginx(int port, String version, Process process) {
      this.port = port;
      this.version = version;
      this.process = process;
    }

    static Nginx start(Path prefix) throws Exception {
      int port = GitDaemon.freePort();
      Files.createDirectories(prefix.resolve("tmp"));
      Files.createDirectories(prefix.resolve("logs"));
      boolean root = "root".equals(System.getProperty("user.name"));
      String conf =
          (root ? "user root;\n" : "")
              + """
          worker_processes 1;
          daemon off;
          pid %1$s/nginx.pid;
          error_log %1$s/logs/error.log warn;
          events { worker_connections 1024; }
          http {
            access_log off;
            sendfile on;
            tcp_nopush on;
            keepalive_requests 100000000;
            keepalive_timeout 120s;
            types { application/json json; application/gzip gz; text/plain txt; }
            default_type application/octet-stream;
            client_body_temp_path %1$s/tmp/body;
            proxy_temp_path %1$s/tmp/proxy;
            fastcgi_temp_path %1$s/tmp/fastcgi;
            uwsgi_temp_path %1$s/tmp/uwsgi;
            scgi_temp_path %1$s/tmp/scgi;
            server {
              listen 127.0.0.1:%2$d;
              root %1$s/html;
              etag on;
            }
          }
          """
                  .formatted(prefix, port);
      Path file = prefix.resolve("nginx.conf");
      Files.writeString(file, conf);
      Process version = new ProcessBuilder(nginxBinary(), "-v").redirectErrorStream(true).start();
      String v =
          new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
              .trim()
              .replace("nginx version: nginx/", "");
      version.waitFor();
      Process process =
          new ProcessBuilder(nginxBinary(), "-p", prefix.toString(), "-c", file.toString())
              .redirectErrorStream(true)
              .redirectOutput(prefix.resolve("logs/stdout.log").toFile())
              .start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (true) {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress("127.0.0.1", port), 500);
          break;
        } catch (IOException e) {
          if (!process.isAlive() || System.nanoTime() > deadline) {
            throw new IOException(
                "nginx did not start: "
                    + Files.readString(prefix.resolve("logs/stdout.log"))
                    + Files.readString(prefix.resolve("logs/error.log")));
          }
          Thread.sleep(20);
        }
      }
      return new Nginx(port, v, process);
    }

    private static String nginxBinary() {
      return Files.isExecutable(Path.of("/usr/sbin/nginx")) ? "/usr/sbin/nginx" : "nginx";
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  // --- helpers ------------------------------------------------------------------------------

  private void put(String origin, String scopeId, String url) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(origin + "/scopes"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(TestNode.scope(scopeId, url).encode()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 201) {
      throw new IOException(
          "PUT " + scopeId + ": " + response.statusCode() + " " + response.body());
    }
  }

  private void awaitServed(String url) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (get(url).statusCode() != 200) {
      if (System.nanoTime() > deadline) {
        throw new IOException("not served within 60 s: " + url);
      }
      Thread.sleep(50);
    }
  }

  private HttpResponse<byte[]> get(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
