package dev.scopesync.runtime;

import dev.scopesync.bus.StatsFields;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.TreeFormatter;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.Daemon;
import org.eclipse.jgit.transport.DaemonClient;
import org.eclipse.jgit.transport.resolver.FileResolver;

/**
 * The training run behind {@code scripts/run.sh}'s class-data archive (DESIGN §14). The JVM runs it
 * with {@code -XX:ArchiveClassesAtExit}, so every class it loads is in the archive the later starts
 * map instead of loading them from the jar.
 *
 * <p>It does what a first start does, on throwaway data and with nothing of the user's
 * configuration (no {@code SCOPESYNC_*} variable, no config file): an in-process {@code git://}
 * daemon (JGit's) serves one small policy repository, a node starts on a free loopback port with
 * one scope of it in its config, boot-syncs it, answers {@code /ready}, the scope's bundles and
 * {@code /metrics}, deletes it, and stops. Classes only a configuration can ask for (Hazelcast,
 * Redis, ssh, signing) are not loaded, so the archive holds none of them. Nothing is left behind:
 * the temporary directory is deleted.
 */
public final class ArchiveTraining {
  /** {@code -Dscopesync.archiveTraining=true} makes {@code Main} run this instead of a server. */
  public static final String PROPERTY = "scopesync.archiveTraining";

  private static final Duration SYNC_DEADLINE = Duration.ofSeconds(60);

  /** How a training run starts and stops a node; {@code Main} provides it so both start alike. */
  public interface NodeStarter {
    /** Starts a node on the config file and returns its HTTP port. */
    int start(Path configFile) throws Exception;

    /** Stops the node started last, as the shutdown hook would. */
    void stop() throws Exception;
  }

  private ArchiveTraining() {}

  public static boolean requested() {
    return Boolean.getBoolean(PROPERTY);
  }

  /**
   * Runs the training.
   *
   * @return the process exit status: 0 when every step answered as it should
   */
  public static int run(NodeStarter node) {
    Path dir = null;
    Daemon daemon = null;
    try {
      dir = Files.createTempDirectory("scopesync-archive-training-");
      Path remotes = Files.createDirectories(dir.resolve("remotes"));
      makePolicyRepository(remotes.resolve("policy.git"));
      daemon = new Daemon(new InetSocketAddress("127.0.0.1", 0));
      daemon.setRepositoryResolver(new FileResolver<DaemonClient>(remotes.toFile(), true));
      daemon.start();
      String url = "git://127.0.0.1:" + daemon.getAddress().getPort() + "/policy.git";
      Path config = dir.resolve("config.json");
      Files.writeString(config, configJson(dir, url));
      int port = node.start(config);
      boolean ok = exercise(port);
      node.stop();
      return ok ? 0 : 1;
    } catch (Exception e) {
      System.err.println("scopesync: archive training failed: " + e);
      return 1;
    } finally {
      if (daemon != null) {
        daemon.stop();
      }
      deleteQuietly(dir);
    }
  }

  /** The requests a node's first minutes usually bring; true when each answered as expected. */
  private static boolean exercise(int port) throws IOException, InterruptedException {
    boolean ok = get(port, "/ready") == 200;
    ok &= get(port, "/healthz") == 200;
    long deadline = System.nanoTime() + SYNC_DEADLINE.toNanos();
    int policy;
    while ((policy = get(port, "/scopes/training/policy")) != 200 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    ok &= policy == 200;
    ok &= get(port, "/scopes/training/bundle.tar.gz") == 200;
    ok &= get(port, "/scopes/training") == 200;
    ok &= get(port, "/scopes") == 200;
    ok &= get(port, "/metrics") == 200;
    ok &= request(port, "DELETE", "/scopes/training").status() == 204;
    // The delete purges the clone in the background: wait for it, so the node stops idle.
    Answer stats;
    while (!(stats = request(port, "GET", "/internal/stats"))
            .body()
            .contains("\"" + StatsFields.CLONE_DIRS + "\":0")
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    return ok && stats.status() == 200;
  }

  private static String configJson(Path dir, String url) {
    return """
        {"http": {"host": "127.0.0.1", "port": 0},
         "store": {"type": "file", "dir": %s},
         "git": {"baseDir": %s},
         "debug": {"internalStats": true},
         "scopes": [{"scope_id": "training",
                     "policy": {"source_type": "git", "url": %s, "branch": "main"}}]}
        """
        .formatted(quoted(dir.resolve("scopes")), quoted(dir.resolve("data")), quoted(url));
  }

  private static String quoted(Object value) {
    return '"' + value.toString().replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  /** A bare repository with one commit: a rego module and a data document. */
  private static void makePolicyRepository(Path bare) throws IOException {
    try (Repository repo = new FileRepositoryBuilder().setGitDir(bare.toFile()).setBare().build();
        ObjectInserter inserter = repo.newObjectInserter()) {
      repo.create(true);
      ObjectId rego =
          inserter.insert(
              Constants.OBJ_BLOB,
              "package training\n\ndefault allow := false\n".getBytes(StandardCharsets.UTF_8));
      ObjectId data =
          inserter.insert(Constants.OBJ_BLOB, "{\"roles\": []}\n".getBytes(StandardCharsets.UTF_8));
      TreeFormatter dataDir = new TreeFormatter();
      dataDir.append("data.json", FileMode.REGULAR_FILE, data);
      TreeFormatter root = new TreeFormatter();
      root.append("data", FileMode.TREE, inserter.insert(dataDir));
      root.append("policy.rego", FileMode.REGULAR_FILE, rego);
      CommitBuilder commit = new CommitBuilder();
      PersonIdent who = new PersonIdent("scopesync", "scopesync@localhost");
      commit.setAuthor(who);
      commit.setCommitter(who);
      commit.setMessage("training\n");
      commit.setTreeId(inserter.insert(root));
      ObjectId head = inserter.insert(commit);
      inserter.flush();
      RefUpdate update = repo.updateRef(Constants.R_HEADS + "main");
      update.setNewObjectId(head);
      update.update();
      repo.updateRef(Constants.HEAD).link(Constants.R_HEADS + "main");
    }
  }

  private static int get(int port, String path) throws IOException {
    return request(port, "GET", path).status();
  }

  private record Answer(int status, String body) {}

  /** One HTTP/1.1 request on its own connection. */
  private static Answer request(int port, String method, String path) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          (method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String all = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      int status =
          all.startsWith("HTTP/1.1 ") && all.length() >= 12
              ? Integer.parseInt(all.substring(9, 12))
              : -1;
      int bodyStart = all.indexOf("\r\n\r\n");
      return new Answer(status, bodyStart < 0 ? "" : all.substring(bodyStart + 4));
    }
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("scopesync: could not delete " + dir + ": " + e);
    }
  }
}
