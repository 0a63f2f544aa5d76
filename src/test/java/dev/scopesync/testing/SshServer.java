package dev.scopesync.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH {@code sshd} on a free loopback port, serving the bare repositories on disk as
 * {@code ssh://root@127.0.0.1:<port>/<absolute path>} (git runs {@code git-upload-pack} through
 * it). It has its own host key, its own {@code authorized_keys} (public keys only, no passwords)
 * and its own pid file, all in a directory the test owns. Stopped with SIGTERM and waited for, its
 * per-connection children too, so no sshd outlives a test.
 *
 * <p>Needs {@code /usr/sbin/sshd} (Debian: openssh-server; {@code scripts/test.sh} installs it).
 */
public final class SshServer implements AutoCloseable {
  public static final Path SSHD = Path.of("/usr/sbin/sshd");

  private final Process process;
  private final int port;
  private final Path dir;
  private final Path authorizedKeys;
  private final String hostPublicKey;

  private SshServer(
      Process process, int port, Path dir, Path authorizedKeys, String hostPublicKey) {
    this.process = process;
    this.port = port;
    this.dir = dir;
    this.authorizedKeys = authorizedKeys;
    this.hostPublicKey = hostPublicKey;
  }

  /**
   * A key pair made by {@code ssh-keygen}: the private key's text and its {@code authorized_keys}
   * line.
   */
  public record KeyPair(String privateKey, String publicKey) {
    @Override
    public String toString() {
      return "KeyPair[publicKey=" + publicKey + ", privateKey=***]";
    }
  }

  /**
   * Makes a key pair with {@code ssh-keygen -q -N "" -f <dir>/<name> <options>}, e.g. {@code "-t",
   * "ed25519"} (OpenSSH format) or {@code "-t", "rsa", "-b", "2048", "-m", "PEM"}.
   */
  public static KeyPair newKey(Path dir, String name, String... options)
      throws IOException, InterruptedException {
    Path file = dir.resolve(name);
    List<String> command =
        new ArrayList<>(List.of("ssh-keygen", "-q", "-N", "", "-C", name, "-f", file.toString()));
    command.addAll(List.of(options));
    run(command);
    return new KeyPair(
        Files.readString(file, StandardCharsets.US_ASCII),
        Files.readString(dir.resolve(name + ".pub"), StandardCharsets.US_ASCII).strip());
  }

  /**
   * Starts sshd with its files under {@code dir} (created if missing); nobody is authorized yet.
   */
  public static SshServer start(Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    // sshd refuses to start without its privilege-separation directory.
    Files.createDirectories(Path.of("/run/sshd"));
    KeyPair hostKey = newKey(dir, "ssh_host_ed25519_key", "-t", "ed25519");
    Path authorizedKeys = Files.writeString(dir.resolve("authorized_keys"), "");
    int port = GitDaemon.freePort();
    Path config =
        Files.writeString(
            dir.resolve("sshd_config"),
            String.join(
                "\n",
                "Port " + port,
                "ListenAddress 127.0.0.1",
                "HostKey " + dir.resolve("ssh_host_ed25519_key"),
                "PidFile " + dir.resolve("sshd.pid"),
                "AuthorizedKeysFile " + authorizedKeys,
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                // Tests run as root; the key is the only way in.
                "PermitRootLogin prohibit-password",
                "UsePAM no",
                // The temp directories are not owned and moded the way sshd insists on for ~/.ssh.
                "StrictModes no",
                "AcceptEnv GIT_PROTOCOL",
                "X11Forwarding no",
                "AllowTcpForwarding no",
                "PrintMotd no",
                "LogLevel VERBOSE",
                ""));
    Process process =
        new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("sshd.log").toFile())
            .start();
    SshServer server = new SshServer(process, port, dir, authorizedKeys, hostKey.publicKey());
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    while (!accepts(port)) {
      if (!process.isAlive() || Instant.now().isAfter(deadline)) {
        server.close();
        throw new IOException("sshd did not start on port " + port + ": " + server.log());
      }
      Thread.sleep(20);
    }
    return server;
  }

  /** Lets the holder of this key in (sshd reads the file at every login). */
  public void authorize(KeyPair key) throws IOException {
    Files.writeString(authorizedKeys, key.publicKey() + "\n", StandardOpenOption.APPEND);
  }

  public int port() {
    return port;
  }

  /** {@code ssh://root@127.0.0.1:<port><absolute path>}. */
  public String url(Path bareRepository) {
    return "ssh://root@127.0.0.1:" + port + bareRepository.toAbsolutePath();
  }

  /**
   * This server's line for a {@code known_hosts} file, as {@code ssh-keyscan -p <port> 127.0.0.1}
   * prints it.
   */
  public String knownHostsLine() {
    String[] typeAndKey = hostPublicKey.split(" ");
    return "[127.0.0.1]:" + port + " " + typeAndKey[0] + " " + typeAndKey[1];
  }

  /** What sshd wrote to stderr so far (for failure messages). */
  public String log() throws IOException {
    Path log = dir.resolve("sshd.log");
    return Files.exists(log) ? Files.readString(log) : "";
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IOException(String.join(" ", command) + " failed: " + output);
    }
  }

  @Override
  public void close() throws InterruptedException {
    // The listener's per-connection children first: SIGTERM to the listener does not end them.
    List<ProcessHandle> children = process.descendants().toList();
    children.forEach(ProcessHandle::destroy);
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    for (ProcessHandle child : children) {
      try {
        child.onExit().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        child.destroyForcibly();
      }
    }
  }
}
