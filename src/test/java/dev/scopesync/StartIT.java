package dev.scopesync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.testing.Await;
import dev.scopesync.testing.GitRemote;
import dev.scopesync.testing.ServerProcess;
import dev.scopesync.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server as a user starts it, {@code scripts/run.sh}, in its own process (DESIGN §14), on the
 * packaged jar (hence an integration test: it runs after {@code package}). Uses a copy of the
 * project ({@code scripts/run.sh} and {@code target/scopesync.jar}) so that its class-data archives
 * never touch the working tree's.
 *
 * <p>Whether the archive is used is the JVM's own word: {@code -Xshare:on} (the JVM refuses to
 * start when it cannot map the archive) and {@code -Xlog:class+load}, which names where each class
 * came from ({@code shared objects file (top)} is the application archive).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StartIT {
  private static final Duration READY = Duration.ofMinutes(3);
  private static final String TRAINING = "making the class-data archive";
  private static final String FROM_ARCHIVE = "dev.scopesync.Main source: shared objects file (top)";

  /** Loaded only when configured or first used; none of them in a default start. */
  private static final List<String> NOT_AT_DEFAULT_START =
      List.of(
          "com.hazelcast.",
          "io.vertx.spi.cluster.",
          "org.apache.sshd.",
          "org.bouncycastle.",
          "org.eclipse.jgit.transport.sshd.",
          "io.vertx.ext.auth.jwt.",
          "io.vertx.ext.eventbus.bridge.",
          "io.vertx.redis.",
          "org.apache.commons.compress.");

  private Path dir;
  private Path project;
  private Path cds;
  private int starts;

  @BeforeAll
  void copyProject(@TempDir Path temp) throws IOException {
    dir = temp;
    project = dir.resolve("project");
    Files.createDirectories(project.resolve("scripts"));
    Files.createDirectories(project.resolve("target"));
    Files.copy(
        ServerProcess.PROJECT.resolve("scripts/run.sh"),
        project.resolve("scripts/run.sh"),
        StandardCopyOption.COPY_ATTRIBUTES);
    Path jar = ServerProcess.PROJECT.resolve("target/scopesync.jar");
    assertTrue(Files.isRegularFile(jar), "the packaged jar (mvn package) is needed: " + jar);
    Files.copy(jar, project.resolve("target/scopesync.jar"));
    cds = project.resolve("target/cds");
  }

  @Test
  @Order(1)
  void firstStartMakesTheArchiveAndMapsIt() throws Exception {
    Started first = start("-Xshare:on");

    assertEquals(1, first.lines(TRAINING), first.log);
    assertEquals(1, archives().size(), "one archive: " + archives());
    assertTrue(Files.isRegularFile(cksumOf(archives().get(0))));
    assertTrue(
        first.classes.contains(FROM_ARCHIVE),
        "the start right after the training maps the archive");
  }

  @Test
  @Order(2)
  void laterStartsMapTheSameArchiveAndLoadNothingThatIsNotConfigured() throws Exception {
    Path archive = archives().get(0);
    FileTime made = Files.getLastModifiedTime(archive);

    Started second = start("-Xshare:on");

    assertEquals(0, second.lines(TRAINING), second.log);
    assertEquals(List.of(archive), archives());
    assertEquals(made, Files.getLastModifiedTime(archive));
    assertTrue(second.classes.contains(FROM_ARCHIVE));
    for (String line : second.classes.split("\n")) {
      for (String optional : NOT_AT_DEFAULT_START) {
        assertFalse(line.contains("] " + optional), "loaded at a default start: " + line);
      }
    }
    assertTrue(second.classes.contains("] io.vertx.core.Vertx "), "the class log is complete");
    // A default start warns only about what the operator left open (no token key, no webhook
    // secret); metrics that collide, for one, warned at every start.
    for (String line : second.log.split("\n")) {
      if (line.contains(" WARN ") || line.contains(" ERROR ")) {
        assertTrue(
            line.contains("auth.publicKey is not set")
                || line.contains("webhook.secret is not set"),
            "unexpected at a default start: " + line);
      }
    }
  }

  @Test
  @Order(3)
  void aTruncatedArchiveIsMadeAnewAndNeverStopsTheStart() throws Exception {
    // Java 17 would map a truncated archive and crash; run.sh checks the size and CRC first.
    Path archive = archives().get(0);
    byte[] whole = Files.readAllBytes(archive);
    archive.toFile().setWritable(true);
    Files.write(archive, java.util.Arrays.copyOf(whole, whole.length / 2));

    Started third = start();

    assertEquals(1, third.lines(TRAINING), third.log);
    assertTrue(third.classes.contains(FROM_ARCHIVE));
    Path remade = archives().get(0);
    assertTrue(Files.size(remade) > whole.length / 2, "a whole archive again");
  }

  @Test
  @Order(4)
  void aStaleArchiveIsRefusedByTheJvmAndTheServerStartsWithoutIt() throws Exception {
    Path stale = dir.resolve("stale.jsa");
    Files.copy(archives().get(0), stale);
    Path jar = project.resolve("target/scopesync.jar");
    // The jar changes (as a rebuild does): run.sh makes an archive for it, and the JVM must refuse
    // the old one, which JAVA_OPTS (last on the command line) hands it here.
    Files.setLastModifiedTime(
        jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 2_000));

    Started fourth = start("-XX:SharedArchiveFile=" + stale);

    assertEquals(1, fourth.lines(TRAINING), fourth.log);
    assertFalse(fourth.classes.contains(FROM_ARCHIVE), "the stale archive was not used");
    assertTrue(
        fourth.classes.contains("dev.scopesync.Main source: "), "the server started without it");
    assertEquals(1, archives().size(), "the archive of the old jar is gone: " + archives());

    // A file that is no archive at all is refused the same way.
    Path garbage = dir.resolve("garbage.jsa");
    Files.write(garbage, "not an archive".repeat(1000).getBytes(StandardCharsets.US_ASCII));
    Started fifth = start("-XX:SharedArchiveFile=" + garbage);
    assertEquals(0, fifth.lines(TRAINING));
    assertFalse(fifth.classes.contains(FROM_ARCHIVE));
  }

  @Test
  @Order(5)
  void workerThreadsGrowWithABurstOfClonesAndEndWhenIdle() throws Exception {
    JsonArray scopes = new JsonArray();
    for (int i = 0; i < 16; i++) {
      try (GitRemote remote = GitRemote.create(dir.resolve("remotes"), "r" + i)) {
        remote.commit("init", Map.of("p/p.rego", "package p" + i + "\n", "p/data.json", "{}"));
        scopes.add(TestNode.scope("s" + i, remote.fileUrl()));
      }
    }
    Path node = dir.resolve("burst");
    JsonObject config = ServerProcess.config(node).put("scopes", scopes);
    config.getJsonObject("git").put("allowedSchemes", new JsonArray().add("file"));
    try (ServerProcess server =
        ServerProcess.start(
            project, node, config, Map.of("JAVA_OPTS", "-Dscopesync.idleThreadSeconds=1"))) {
      // The boot sync clones the 16 scopes git.syncConcurrency (8) at a time; watched from the
      // process start.
      long peak = 0;
      for (int i = 0; i < scopes.size(); i++) {
        long deadline = System.nanoTime() + READY.toNanos();
        do {
          peak = Math.max(peak, count(workerThreads(server), "scopesync-git-"));
          assertTrue(System.nanoTime() < deadline, "s" + i + " served:\n" + server.log());
        } while (server.status("GET", "/scopes/s" + i + "/policy") != 200);
      }

      assertTrue(peak >= 2, "the git pool grew with the clones: peak " + peak);
      Await.until(
          () -> {
            try {
              return workerThreads(server).isEmpty();
            } catch (IOException e) {
              throw new AssertionError(e);
            }
          },
          Duration.ofSeconds(30));
      assertEquals(200, server.status("GET", "/scopes/s0/policy"), "still serving");
    }
  }

  private static long count(List<String> names, String prefix) {
    return names.stream()
        .filter(name -> name.startsWith(prefix) && !name.equals("scopesync-git-w"))
        .count();
  }

  /**
   * Threads of the worker pools (git, bundle, Vert.x workers) and the git watchdog, by the kernel's
   * names.
   */
  private static List<String> workerThreads(ServerProcess server) throws IOException {
    List<String> names = new ArrayList<>();
    server
        .threadNames()
        .forEach(
            (name, count) -> {
              if (name.startsWith("scopesync-git")
                  || name.startsWith("scopesync-bund")
                  || name.startsWith("vert.x-worker")
                  || name.startsWith("vert.x-interna")) {
                for (int i = 0; i < count; i++) {
                  names.add(name);
                }
              }
            });
    return names;
  }

  /** A start to /ready with the class-loading log on, then a stop; what it printed and loaded. */
  private Started start(String... javaOpts) throws Exception {
    int n = ++starts;
    Path node = dir.resolve("node-" + n);
    Path classes = dir.resolve("classes-" + n + ".txt");
    String opts = String.join(" ", javaOpts) + " -Xlog:class+load=info:file=" + classes;
    try (ServerProcess server =
        ServerProcess.start(
            project, node, ServerProcess.config(node), Map.of("JAVA_OPTS", opts.strip()))) {
      server.awaitReady(READY);
      server.stop();
      return new Started(server.log(), Files.readString(classes));
    }
  }

  private record Started(String log, String classes) {
    int lines(String text) {
      return (int) log.lines().filter(line -> line.contains(text)).count();
    }
  }

  private List<Path> archives() throws IOException {
    try (Stream<Path> files = Files.list(cds)) {
      return files
          .filter(p -> p.getFileName().toString().matches("scopesync-[0-9]+\\.jsa"))
          .sorted()
          .toList();
    }
  }

  private static Path cksumOf(Path archive) {
    return archive.resolveSibling(archive.getFileName() + ".cksum");
  }
}
