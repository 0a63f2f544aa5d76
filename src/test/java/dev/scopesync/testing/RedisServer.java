package dev.scopesync.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} on a free loopback port, listening on 127.0.0.1 only (no unix socket,
 * no TLS port, no replication), with no save points and no append-only file. It can be stopped and
 * started again on the same port to stage an outage; {@link #stop()} saves the data to its private
 * directory first ({@code SHUTDOWN SAVE}), so what was stored before the outage is there after it.
 * {@link #pause()} freezes the process (SIGSTOP) to stage a server that accepts connections and
 * never answers. {@link #close()} kills it, waits for it and removes its directory.
 */
public final class RedisServer implements AutoCloseable {
  private final int port;
  private final Path dir;
  private final List<String> extraArgs;
  private Process process;

  private RedisServer(int port, Path dir, List<String> extraArgs) {
    this.port = port;
    this.dir = dir;
    this.extraArgs = List.copyOf(extraArgs);
  }

  /**
   * Starts a server; {@code extraArgs} are further {@code --name value} options (e.g. {@code
   * --requirepass}).
   */
  public static RedisServer launch(String... extraArgs) throws IOException, InterruptedException {
    RedisServer server =
        new RedisServer(
            GitDaemon.freePort(), Files.createTempDirectory("redis-server"), List.of(extraArgs));
    try {
      server.start();
    } catch (IOException | InterruptedException | RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  /** Starts the process again on the same port, after {@link #stop()}. */
  public synchronized void start() throws IOException, InterruptedException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("redis-server on port " + port + " is already running");
    }
    List<String> command =
        new ArrayList<>(
            List.of(
                "redis-server",
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                dir.toString(),
                "--daemonize",
                "no",
                "--logfile",
                ""));
    command.addAll(extraArgs);
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("redis.log").toFile())
            .start();
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    while (!accepts()) {
      if (!process.isAlive() || Instant.now().isAfter(deadline)) {
        String log =
            Files.exists(dir.resolve("redis.log"))
                ? Files.readString(dir.resolve("redis.log"))
                : "";
        stopProcess();
        throw new IOException("redis-server did not start on port " + port + ":\n" + log);
      }
      Thread.sleep(10);
    }
  }

  /**
   * Shuts the server down after saving its data ({@code SHUTDOWN SAVE}; SIGTERM when that fails)
   * and waits until the process is gone and the port refuses connections.
   */
  public synchronized void stop() throws IOException, InterruptedException {
    if (process == null || !process.isAlive()) {
      return;
    }
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(shutdownSave());
      out.flush();
      InputStream in = socket.getInputStream();
      while (in.read() >= 0) {
        // redis answers AUTH with +OK and closes the connection when it shuts down
      }
    } catch (IOException e) {
      process.destroy();
    }
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (process.isAlive()) {
      throw new IOException("redis-server on port " + port + " did not stop");
    }
  }

  /** Freezes the server (SIGSTOP): connections are accepted by the kernel, nothing is answered. */
  public void pause() throws IOException, InterruptedException {
    signal("STOP");
  }

  /** Undoes {@link #pause()} (SIGCONT). */
  public void resume() throws IOException, InterruptedException {
    signal("CONT");
  }

  public int port() {
    return port;
  }

  /** {@code redis://127.0.0.1:<port>}. */
  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  @Override
  public synchronized void close() throws IOException, InterruptedException {
    try {
      stopProcess();
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(path);
        }
      }
    }
  }

  private void stopProcess() throws InterruptedException, IOException {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      throw new IOException("redis-server on port " + port + " did not exit");
    }
  }

  private void signal(String name) throws IOException, InterruptedException {
    Process kill =
        new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IOException("kill -" + name + " " + process.pid() + " failed");
    }
  }

  /** {@code SHUTDOWN SAVE} in RESP, after an {@code AUTH} when the server has a password. */
  private byte[] shutdownSave() {
    StringBuilder out = new StringBuilder();
    int at = extraArgs.indexOf("--requirepass");
    if (at >= 0 && at + 1 < extraArgs.size()) {
      appendCommand(out, List.of("AUTH", extraArgs.get(at + 1)));
    }
    appendCommand(out, List.of("SHUTDOWN", "SAVE"));
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void appendCommand(StringBuilder out, List<String> args) {
    out.append('*').append(args.size()).append("\r\n");
    for (String arg : args) {
      out.append('$')
          .append(arg.getBytes(StandardCharsets.UTF_8).length)
          .append("\r\n")
          .append(arg)
          .append("\r\n");
    }
  }

  private boolean accepts() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
