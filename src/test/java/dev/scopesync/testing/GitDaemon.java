package dev.scopesync.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code git daemon} on a free loopback port, serving every repository under a base path as
 * {@code git://127.0.0.1:<port>/<name>.git}. Stopped with SIGTERM (which reaches its child) and
 * waited for, so no daemon outlives a test.
 */
public final class GitDaemon implements AutoCloseable {
  private final Process process;
  private final int port;

  private GitDaemon(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  public static GitDaemon start(Path basePath) throws IOException, InterruptedException {
    int port = freePort();
    Process process =
        new ProcessBuilder(
                "git",
                "daemon",
                "--export-all",
                "--reuseaddr",
                "--base-path=" + basePath.toAbsolutePath(),
                "--listen=127.0.0.1",
                "--port=" + port,
                "--informative-errors",
                basePath.toAbsolutePath().toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    GitDaemon daemon = new GitDaemon(process, port);
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    while (!accepts(port)) {
      if (!process.isAlive() || Instant.now().isAfter(deadline)) {
        daemon.close();
        throw new IOException("git daemon did not start on port " + port);
      }
      Thread.sleep(20);
    }
    return daemon;
  }

  public String url(String name) {
    return "git://127.0.0.1:" + port + "/" + name + ".git";
  }

  public int port() {
    return port;
  }

  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", 0));
      return socket.getLocalPort();
    }
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
