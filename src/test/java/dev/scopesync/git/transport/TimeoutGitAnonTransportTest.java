package dev.scopesync.git.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.scopesync.git.transport.MuteGitDaemon.After;
import dev.scopesync.testing.GitDaemon;
import dev.scopesync.testing.GitRemote;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.TransportProtocol;
import org.eclipse.jgit.transport.URIish;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingSupplier;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * git:// clones and fetches through {@link TimeoutGitAnonTransport}, against real sockets on
 * loopback.
 */
class TimeoutGitAnonTransportTest {
  /** Only a safety net against a hang: the operations below time out after 2 s. */
  private static final Duration SAFETY_NET = Duration.ofSeconds(30);

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int TIMEOUT_SECONDS = 2;

  @TempDir Path dir;

  @BeforeAll
  static void installTransport() {
    GitTransports.install();
  }

  @Test
  void cloneFromADaemonThatNeverAnswersFailsWithASocketTimeout() throws Exception {
    try (MuteGitDaemon mute = MuteGitDaemon.start(After.STAY_SILENT)) {
      TransportException failure =
          failsWithinSafetyNet(
              () ->
                  Git.cloneRepository()
                      .setURI(mute.url("x"))
                      .setDirectory(dir.resolve("clone").toFile())
                      .setTimeout(TIMEOUT_SECONDS)
                      .call());

      assertCausedBySocketTimeout(failure);
      assertEquals(
          uploadPackV2(mute, "x"), mute.nextRequest(WAIT), "the request reached the silent daemon");
      mute.awaitClosedByClient(1, WAIT);
    }
  }

  @Test
  void fetchFromADaemonThatNeverAnswersFailsWithASocketTimeout() throws Exception {
    try (MuteGitDaemon mute = MuteGitDaemon.start(After.STAY_SILENT);
        Git git =
            Git.init().setDirectory(dir.resolve("repo").toFile()).setInitialBranch("main").call()) {
      setOrigin(git.getRepository(), mute.url("x"));

      TransportException failure =
          failsWithinSafetyNet(
              () -> git.fetch().setRemote("origin").setTimeout(TIMEOUT_SECONDS).call());

      assertCausedBySocketTimeout(failure);
      assertEquals(uploadPackV2(mute, "x"), mute.nextRequest(WAIT));
      mute.awaitClosedByClient(1, WAIT);
    }
  }

  @Test
  void lsRemoteWithoutALocalRepositoryFailsWithASocketTimeout() throws Exception {
    try (MuteGitDaemon mute = MuteGitDaemon.start(After.STAY_SILENT)) {
      TransportException failure =
          failsWithinSafetyNet(
              () ->
                  Git.lsRemoteRepository()
                      .setRemote(mute.url("x"))
                      .setTimeout(TIMEOUT_SECONDS)
                      .call());

      assertCausedBySocketTimeout(failure);
      assertEquals(uploadPackV2(mute, "x"), mute.nextRequest(WAIT));
      mute.awaitClosedByClient(1, WAIT);
    }
  }

  @Test
  void cloneAndFetchOverARealGitDaemonBringTheCommits() throws Exception {
    Path served = Files.createDirectories(dir.resolve("served"));
    try (GitRemote remote = GitRemote.create(served, "policies");
        GitDaemon daemon = GitDaemon.start(served)) {
      String first = remote.commit("first", Map.of("a.rego", "package a"));

      try (Git clone =
          Git.cloneRepository()
              .setURI(daemon.url("policies"))
              .setDirectory(dir.resolve("clone").toFile())
              .setTimeout(TIMEOUT_SECONDS)
              .call()) {
        assertEquals(first, originMain(clone.getRepository()));
        assertEquals(first, clone.getRepository().resolve(Constants.HEAD).name());

        String second = remote.commit("second", Map.of("b.rego", "package b"));
        clone.fetch().setRemote("origin").setTimeout(TIMEOUT_SECONDS).call();

        assertEquals(second, originMain(clone.getRepository()));
      }
    }
  }

  @Test
  void fetchOverARealGitDaemonWithProtocolV0Configured() throws Exception {
    Path served = Files.createDirectories(dir.resolve("served"));
    try (GitRemote remote = GitRemote.create(served, "policies");
        GitDaemon daemon = GitDaemon.start(served);
        Git git =
            Git.init().setDirectory(dir.resolve("repo").toFile()).setInitialBranch("main").call()) {
      String commit = remote.commit("first", Map.of("a.rego", "package a"));
      StoredConfig config = git.getRepository().getConfig();
      config.setString("protocol", null, "version", "0");
      config.save();
      setOrigin(git.getRepository(), daemon.url("policies"));

      git.fetch().setRemote("origin").setTimeout(TIMEOUT_SECONDS).call();

      assertEquals(commit, originMain(git.getRepository()));
    }
  }

  @Test
  void gitUrlsOpenThisTransportWithAndWithoutALocalRepository() throws Exception {
    URIish uri = new URIish("git://127.0.0.1:9/x.git");
    try (Git git = Git.init().setDirectory(dir.resolve("repo").toFile()).call();
        Transport withRepository = Transport.open(git.getRepository(), uri);
        Transport withoutRepository = Transport.open(uri)) {
      assertInstanceOf(TimeoutGitAnonTransport.class, withRepository);
      assertInstanceOf(TimeoutGitAnonTransport.class, withoutRepository);
    }
  }

  /**
   * The bytes on the wire are JGit's: the same request line as JGit's own git:// transport, for
   * every {@code protocol.version} setting, for fetch and push.
   */
  @ParameterizedTest(name = "{0} with protocol.version={1}")
  @CsvSource({
    "fetch, '', v2",
    "fetch, 0, v0",
    "fetch, 1, v0",
    "fetch, 2, v2",
    "fetch, bogus, v2",
    "push, '', v0",
    "push, 2, v0",
  })
  void requestLineIsTheOneJGitsOwnGitTransportSends(
      String operation, String protocolVersion, String expected) throws Exception {
    try (MuteGitDaemon hangUp = MuteGitDaemon.start(After.HANG_UP);
        Git git = Git.init().setDirectory(dir.resolve("repo").toFile()).call()) {
      if (!protocolVersion.isEmpty()) {
        StoredConfig config = git.getRepository().getConfig();
        config.setString("protocol", null, "version", protocolVersion);
        config.save();
      }
      URIish uri = new URIish(hangUp.url("x"));
      String service = operation.equals("fetch") ? "git-upload-pack" : "git-receive-pack";
      String wanted =
          service
              + " /x.git\0host=127.0.0.1:"
              + hangUp.port()
              + "\0"
              + (expected.equals("v2") ? "\0version=2\0" : "");

      // A failed push handshake opens a second connection, an upload-pack one, to tell
      // "not found" from "not allowed": compare every request line of each handshake.
      handshake(jgitsOwnGitProtocol(), uri, git.getRepository(), operation);
      List<String> jgits = hangUp.takeRequests();
      handshake(GitTransports.gitProtocol(), uri, git.getRepository(), operation);
      List<String> ours = hangUp.takeRequests();

      assertEquals(wanted, jgits.get(0), "JGit's own transport sends what this test expects");
      assertEquals(jgits, ours);
    }
  }

  /** Opens a connection against a daemon that hangs up after the request line: it must fail. */
  private static void handshake(
      TransportProtocol protocol, URIish uri, Repository repo, String operation) throws Exception {
    assertTimeoutPreemptively(
        SAFETY_NET,
        () -> {
          try (Transport transport = protocol.open(uri, repo, "origin")) {
            transport.setTimeout(TIMEOUT_SECONDS);
            assertThrows(
                org.eclipse.jgit.errors.TransportException.class,
                operation.equals("fetch") ? transport::openFetch : transport::openPush);
          }
        });
  }

  private static TransportProtocol jgitsOwnGitProtocol() {
    List<TransportProtocol> builtIn =
        Transport.getTransportProtocols().stream()
            .filter(p -> p != GitTransports.gitProtocol() && p.getSchemes().contains("git"))
            .toList();
    assertEquals(1, builtIn.size(), "JGit registers one git:// protocol of its own: " + builtIn);
    return builtIn.get(0);
  }

  private static String uploadPackV2(MuteGitDaemon mute, String name) {
    return "git-upload-pack /" + name + ".git\0host=127.0.0.1:" + mute.port() + "\0\0version=2\0";
  }

  /**
   * Runs a git command that must fail, with a generous preemptive timeout so a regression fails the
   * test instead of hanging the build. Also checks JGit's interrupt timer left the thread
   * uninterrupted: our callers are pooled worker threads.
   */
  private static TransportException failsWithinSafetyNet(ThrowingSupplier<?> command) {
    return assertTimeoutPreemptively(
        SAFETY_NET,
        () -> {
          TransportException failure =
              assertThrows(TransportException.class, () -> close(command.get()));
          assertFalse(
              Thread.currentThread().isInterrupted(), "the calling thread is left uninterrupted");
          return failure;
        });
  }

  private static void close(Object result) throws Exception {
    if (result instanceof AutoCloseable closeable) {
      closeable.close();
    }
  }

  private static void assertCausedBySocketTimeout(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SocketTimeoutException) {
        return;
      }
    }
    throw new AssertionError("expected a SocketTimeoutException in the cause chain", failure);
  }

  private static void setOrigin(Repository repo, String url) throws Exception {
    StoredConfig config = repo.getConfig();
    config.setString("remote", "origin", "url", url);
    config.setString(
        "remote", "origin", "fetch", new RefSpec("+refs/heads/*:refs/remotes/origin/*").toString());
    config.save();
  }

  private static String originMain(Repository repo) throws Exception {
    ObjectId id = repo.resolve("refs/remotes/origin/main");
    return id == null ? null : id.name();
  }
}
