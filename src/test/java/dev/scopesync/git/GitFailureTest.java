package dev.scopesync.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.scopesync.git.GitFailure.Action;
import dev.scopesync.git.GitFailure.Kind;
import dev.scopesync.git.transport.GitTransports;
import dev.scopesync.git.transport.MuteGitDaemon;
import dev.scopesync.model.GitAuth;
import dev.scopesync.model.GitPolicySource;
import dev.scopesync.testing.GitDaemon;
import dev.scopesync.testing.GitRemote;
import dev.scopesync.testing.SshServer;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.MessageFormat;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.eclipse.jgit.api.errors.InvalidRemoteException;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.internal.JGitText;
import org.eclipse.jgit.transport.URIish;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A failure says what should happen next. Real failures are caused against real remotes (git
 * daemon, sshd, files, closed and silent ports); the http ones, for which there is no server here,
 * are built as JGit's TransportHttp throws them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GitFailureTest {
  private static final String HTTP = "https://git.example.com/org/policies.git";

  @TempDir static Path dir;

  private GitRemote remote;
  private GitDaemon daemon;
  private MuteGitDaemon mute;
  private SshServer sshd;
  private SshServer.KeyPair strangerKey;
  private Path trustingSsh;
  private Path emptySsh;
  private CloneDirectories clones;
  private final AtomicInteger sources = new AtomicInteger();

  @BeforeAll
  void startRemotes() throws Exception {
    GitTransports.install();
    remote = GitRemote.create(dir.resolve("remotes"), "policies");
    remote.commit("init", Map.of("a.rego", "package a\n"));
    daemon = GitDaemon.start(dir.resolve("remotes"));
    mute = MuteGitDaemon.start(MuteGitDaemon.After.STAY_SILENT);
    sshd = SshServer.start(dir.resolve("sshd"));
    strangerKey =
        SshServer.newKey(Files.createDirectories(dir.resolve("keys")), "stranger", "-t", "ed25519");
    trustingSsh = Files.createDirectories(dir.resolve("ssh-trusting"));
    Files.writeString(trustingSsh.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
    emptySsh = Files.createDirectories(dir.resolve("ssh-empty"));
    Files.writeString(emptySsh.resolve("known_hosts"), "");
    clones = new CloneDirectories(dir.resolve("clones"));
  }

  @AfterAll
  void stopRemotes() throws Exception {
    try (AutoCloseable r = remote;
        AutoCloseable d = daemon;
        AutoCloseable m = mute;
        AutoCloseable s = sshd) {
      // closed in reverse order, each even if another fails
    }
  }

  Stream<Arguments> realFailures() {
    return Stream.of(
        row(
            "a repository the git daemon does not export is not found",
            Kind.NOT_FOUND,
            Action.NEEDS_PERSON,
            t -> t.clone(t.daemon.url("missing"))),
        row(
            "a file url with no repository behind it is not found",
            Kind.NOT_FOUND,
            Action.NEEDS_PERSON,
            t -> t.clone("file://" + dir.resolve("remotes/missing.git"))),
        row(
            "an unknown host is retried: it may be a resolver's blip",
            Kind.NETWORK,
            Action.RETRY,
            t -> t.clone("git://no-such-host.invalid/policies.git")),
        row(
            "a protocol JGit does not speak is a bad url",
            Kind.BAD_URL,
            Action.NEEDS_PERSON,
            t -> t.clone("gopher://127.0.0.1/policies.git")),
        row(
            "an ssh key the server does not accept is an auth failure",
            Kind.AUTH,
            Action.NEEDS_PERSON,
            t ->
                t.clone(t.sshd.url(t.remote.barePath()))
                    .setAuth(t.sshAuth())
                    .setSshDirectory(t.trustingSsh)),
        row(
            "an ssh host key missing from known_hosts is an auth failure",
            Kind.AUTH,
            Action.NEEDS_PERSON,
            t ->
                t.clone(t.sshd.url(t.remote.barePath()))
                    .setAuth(t.sshAuth())
                    .setSshDirectory(t.emptySsh)),
        row(
            "a closed port is a network failure, retried",
            Kind.NETWORK,
            Action.RETRY,
            t -> t.clone("git://127.0.0.1:" + t.closedPort() + "/policies.git")),
        row(
            "a git daemon that never answers times out, retried",
            Kind.TIMEOUT,
            Action.RETRY,
            t -> t.clone(t.mute.url("policies")).setTimeout(1)),
        row(
            "a clone cancelled because the server stops is retried",
            Kind.ERROR,
            Action.RETRY,
            t -> t.clone(t.remote.fileUrl()).setStopping(() -> true)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("realFailures")
  void aRealFailureSaysWhatHappensNext(
      String name, Kind kind, Action action, Function<GitFailureTest, CloneSource> clone)
      throws Exception {
    GitFailure failure = assertThrows(GitFailure.class, () -> clone.apply(this).call(), name);
    assertEquals(kind, failure.kind(), failure.getMessage());
    assertEquals(action, failure.action(), failure.getMessage());
    assertEquals(action == Action.NEEDS_PERSON, failure.needsPerson());
    assertEquals(List.of(), clones.list().sources(), "a failed clone leaves no clone");
    assertEquals(0, clones.list().others(), "nor a scratch directory");
  }

  static Stream<Arguments> builtFailures() throws Exception {
    URIish uri = new URIish(HTTP);
    return Stream.of(
        row(
            "an http 401 is an auth failure",
            Kind.AUTH,
            Action.NEEDS_PERSON,
            new TransportException(uri, JGitText.get().notAuthorized)),
        row(
            "an http remote that wants credentials we lack is an auth failure",
            Kind.AUTH,
            Action.NEEDS_PERSON,
            new TransportException(uri, JGitText.get().noCredentialsProvider)),
        row(
            "an http 403 is an auth failure",
            Kind.AUTH,
            Action.NEEDS_PERSON,
            new TransportException(
                uri,
                MessageFormat.format(
                    JGitText.get().serviceNotPermitted, HTTP + "/", "git-upload-pack"))),
        row(
            "an http 404 is not found",
            Kind.NOT_FOUND,
            Action.NEEDS_PERSON,
            new NoRemoteRepositoryException(
                uri, MessageFormat.format(JGitText.get().uriNotFound, HTTP))),
        row(
            "an api command's invalid remote is not found",
            Kind.NOT_FOUND,
            Action.NEEDS_PERSON,
            new InvalidRemoteException("Invalid remote: origin")),
        row(
            "an http 500 is retried",
            Kind.ERROR,
            Action.RETRY,
            new TransportException(uri, "500 Internal Server Error")),
        row(
            "a read that timed out is a timeout",
            Kind.TIMEOUT,
            Action.RETRY,
            new TransportException(
                uri,
                "read failed",
                new InterruptedIOException(
                    MessageFormat.format(JGitText.get().readTimedOut, 5000)))),
        row(
            "a connection reset mid-pack is a network failure",
            Kind.NETWORK,
            Action.RETRY,
            new TransportException(
                uri, "Connection reset", new SocketException("Connection reset"))),
        row(
            "a refused connection on a port with 403 in it is a network failure",
            Kind.NETWORK,
            Action.RETRY,
            new TransportException("git://127.0.0.1:40325/policies.git: Connection refused", null)),
        row(
            "digits like a status in the url do not make a 500 an auth failure",
            Kind.ERROR,
            Action.RETRY,
            new TransportException(
                new URIish("https://git.example.com:4031/org-401/p.git"),
                "500 Internal Server Error")),
        row(
            "an exception nobody recognises is retried",
            Kind.ERROR,
            Action.RETRY,
            new IllegalStateException("something else")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builtFailures")
  void aFailureAsJGitThrowsItSaysWhatHappensNext(
      String name, Kind kind, Action action, Exception e) {
    GitFailure failure = GitFailure.classify("fetch", HTTP, e);
    assertEquals(kind, failure.kind(), failure.getMessage());
    assertEquals(action, failure.action());
    assertEquals(e, failure.getCause(), "the cause is kept");
    assertEquals(
        "fetch of " + HTTP + " failed (" + kind.label() + "): ",
        failure
            .getMessage()
            .substring(0, ("fetch of " + HTTP + " failed (" + kind.label() + "): ").length()));
  }

  @Test
  void aBranchTheRemoteLacksIsNotFoundAndNeedsAPerson() throws Exception {
    RepositoryHandles handles = new RepositoryHandles(RepositoryHandles.FILE_OPENER, 4);
    try {
      SourceSync sync =
          new SourceSync(
              handles,
              clones,
              Clock.systemUTC(),
              10,
              () -> false,
              (op, outcome, took) -> {},
              emptySsh);
      String sourceId = CloneSourceTest.sourceId(sources.incrementAndGet());
      GitPolicySource source =
          new GitPolicySource(
              remote.fileUrl(),
              "no-such-branch",
              List.of("."),
              List.of(".rego"),
              null,
              List.of(),
              false,
              new GitAuth.None());
      GitFailure failure =
          assertThrows(
              GitFailure.class,
              () ->
                  sync.run(new SyncRequest("tenant-a", sourceId, source, false, null, null), null));
      assertEquals(Kind.NOT_FOUND, failure.kind());
      assertEquals(Action.NEEDS_PERSON, failure.action());
    } finally {
      handles.closeAll();
    }
  }

  @Test
  void theKindsKeepTheMetricsLowerCaseNames() {
    assertEquals(
        List.of("auth", "not_found", "bad_url", "timeout", "network", "error"),
        Arrays.stream(Kind.values()).map(Kind::label).toList());
    assertEquals(
        List.of(
            Action.NEEDS_PERSON,
            Action.NEEDS_PERSON,
            Action.NEEDS_PERSON,
            Action.RETRY,
            Action.RETRY,
            Action.RETRY),
        Arrays.stream(Kind.values()).map(Kind::action).toList());
    assertEquals(
        List.of("needs_person", "retry"),
        Arrays.stream(Action.values()).map(Action::label).toList());
  }

  private static Arguments row(String name, Kind kind, Action action, Object failure) {
    return Arguments.of(name, kind, action, failure);
  }

  private static Arguments row(
      String name, Kind kind, Action action, Function<GitFailureTest, CloneSource> clone) {
    return Arguments.of(name, kind, action, clone);
  }

  private CloneSource clone(String url) {
    return new CloneSource(clones, CloneSourceTest.sourceId(sources.incrementAndGet()), url)
        .setBranch("main")
        .setTimeout(10);
  }

  private GitAuth sshAuth() {
    return new GitAuth.Ssh("root", strangerKey.privateKey(), strangerKey.publicKey());
  }

  private int closedPort() {
    try {
      return GitDaemon.freePort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
