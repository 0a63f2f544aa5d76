package dev.scopesync;

import static dev.scopesync.testing.EventLog.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import dev.scopesync.testing.Await;
import dev.scopesync.testing.CapturedLogs;
import dev.scopesync.testing.GitRemote;
import dev.scopesync.testing.SilentServer;
import dev.scopesync.testing.SshServer;
import dev.scopesync.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ssh remotes end to end: a real OpenSSH sshd on loopback serving a bare repository, a node whose
 * {@code git.sshDirectory} holds (or lacks) that sshd's host key, scopes carrying keys made by
 * ssh-keygen.
 */
class SshRemoteTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  private SshServer sshd;
  private GitRemote policies;
  private Path sshDirectory;
  private Path keys;
  private TestNode node;
  private final CapturedLogs logs = new CapturedLogs();

  @BeforeEach
  void start() throws Exception {
    logs.attach();
    policies = GitRemote.create(Files.createDirectories(dir.resolve("remotes")), "policies");
    policies.commit("initial", Map.of("rbac.rego", "package app.rbac\nallow = true\n"));
    sshd = SshServer.start(dir.resolve("sshd"));
    keys = Files.createDirectories(dir.resolve("keys"));
    sshDirectory = Files.createDirectories(dir.resolve("dot-ssh"));
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (node != null) {
        node.close();
      }
    } finally {
      logs.detach();
      policies.close();
      sshd.close();
    }
  }

  private void startNode() throws Exception {
    startNode(20);
  }

  private void startNode(int timeoutSeconds) throws Exception {
    node =
        TestNode.start(
            dir.resolve("node"),
            json -> {
              json.getJsonObject("git")
                  .put("sshDirectory", sshDirectory.toString())
                  .put("timeoutSeconds", timeoutSeconds);
              return json;
            });
  }

  private void trustServer() throws IOException {
    Files.writeString(sshDirectory.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
  }

  private static JsonObject sshScope(
      String scopeId, String url, String username, SshServer.KeyPair key) {
    JsonObject scope = TestNode.scope(scopeId, url);
    scope
        .getJsonObject("policy")
        .put(
            "auth",
            new JsonObject()
                .put("auth_type", "ssh")
                .put("username", username)
                .put("private_key", key.privateKey())
                .put("public_key", key.publicKey()));
    return scope;
  }

  @Test
  void ed25519KeyClonesServesTheBundleAndFetchesNewCommits() throws Exception {
    SshServer.KeyPair key = SshServer.newKey(keys, "tenant", "-t", "ed25519");
    sshd.authorize(key);
    trustServer();
    startNode();
    // The url's user (root) wins over auth.username.
    JsonObject synced =
        node.putAndAwaitSync(sshScope("tenant-a", sshd.url(policies.barePath()), "git", key));
    assertEquals("ok", synced.getString("outcome"), synced.encode() + "\n" + sshd.log());
    String first = synced.getString("commit");
    assertEquals(first, servedHash("tenant-a"));

    String second =
        policies.commit("tighten", Map.of("rbac.rego", "package app.rbac\nallow = false\n"));
    assertNotEquals(first, second);
    JsonObject refreshed = refreshAndAwait("tenant-a");
    assertEquals("ok", refreshed.getString("outcome"), refreshed.encode());
    assertEquals(second, refreshed.getString("commit"));
    assertEquals(second, servedHash("tenant-a"));

    assertNoKeyMaterialAnywhere(key);
    assertEquals(List.of(), sshClientThreads(), "every ssh session ended with its operation");

    assertEquals(204, node.delete("tenant-a").statusCode());
    assertTrue(node.deleted.awaitOne(field("scope_id", "tenant-a"), WAIT).getBoolean("purged"));
    JsonObject stats = node.stats();
    for (String count : List.of("scopes", "repos", "last_fetched", "source_queues", "clone_dirs")) {
      assertEquals(0, stats.getInteger(count), count + " in " + stats);
    }
  }

  @Test
  void rsaPemKeyWithTheUserNameFromAuthWhenTheUrlHasNone() throws Exception {
    SshServer.KeyPair key =
        SshServer.newKey(keys, "tenant-rsa", "-t", "rsa", "-b", "2048", "-m", "PEM");
    assertTrue(key.privateKey().startsWith("-----BEGIN RSA PRIVATE KEY-----"), "a PEM key");
    sshd.authorize(key);
    trustServer();
    startNode();
    String url = "ssh://127.0.0.1:" + sshd.port() + policies.barePath().toAbsolutePath();
    JsonObject synced = node.putAndAwaitSync(sshScope("tenant-b", url, "root", key));
    assertEquals("ok", synced.getString("outcome"), synced.encode() + "\n" + sshd.log());
    assertEquals(synced.getString("commit"), servedHash("tenant-b"));
    assertNoKeyMaterialAnywhere(key);
  }

  @Test
  void aKeyTheServerDoesNotKnowFailsAsAuth() throws Exception {
    SshServer.KeyPair authorized = SshServer.newKey(keys, "authorized", "-t", "ed25519");
    SshServer.KeyPair stranger = SshServer.newKey(keys, "stranger", "-t", "ed25519");
    sshd.authorize(authorized);
    trustServer();
    startNode();
    JsonObject synced =
        node.putAndAwaitSync(sshScope("tenant-c", sshd.url(policies.barePath()), "root", stranger));
    assertEquals("error", synced.getString("outcome"), synced.encode());
    assertTrue(synced.getString("error").contains("(auth)"), synced.getString("error"));
    assertNotEquals(
        200, node.request("GET", "/scopes/tenant-c/policy", null).statusCode(), "nothing to serve");
    assertNoKeyMaterialAnywhere(stranger);
    assertEquals(List.of(), sshClientThreads(), "a refused session ends too");
  }

  @Test
  void aScopeWithoutAKeyNeverBorrowsTheServersOwn() throws Exception {
    // The server's ssh directory holds a default identity that sshd would accept.
    SshServer.KeyPair serverOwn = SshServer.newKey(sshDirectory, "id_ed25519", "-t", "ed25519");
    sshd.authorize(serverOwn);
    trustServer();
    startNode();
    JsonObject synced =
        node.putAndAwaitSync(TestNode.scope("tenant-f", sshd.url(policies.barePath())));
    assertEquals("error", synced.getString("outcome"), synced.encode());
    assertTrue(synced.getString("error").contains("(auth)"), synced.getString("error"));
    assertFalse(sshd.log().contains("Accepted publickey"), sshd.log());
  }

  @Test
  void anUnknownHostKeyFailsAndSaysWhereToAddIt() throws Exception {
    SshServer.KeyPair key = SshServer.newKey(keys, "tenant", "-t", "ed25519");
    sshd.authorize(key);
    Path knownHosts = Files.writeString(sshDirectory.resolve("known_hosts"), "");
    startNode();
    JsonObject synced =
        node.putAndAwaitSync(sshScope("tenant-d", sshd.url(policies.barePath()), "root", key));
    assertEquals("error", synced.getString("outcome"), synced.encode());
    String error = synced.getString("error");
    assertTrue(error.contains("(auth)"), "needs a person, like a refused key: " + error);
    assertTrue(error.contains("host key"), error);
    assertTrue(error.contains("unknown"), error);
    assertTrue(error.contains(knownHosts.toString()), error);
    assertTrue(error.contains("ssh-keyscan -p " + sshd.port() + " 127.0.0.1"), error);
    assertEquals("", Files.readString(knownHosts), "a host key is never added on its own");
    assertFalse(
        sshd.log().contains("Accepted publickey"),
        "no login to a host we do not trust:\n" + sshd.log());
    assertNoKeyMaterialAnywhere(key);
    assertEquals(List.of(), sshClientThreads(), "a refused session ends too");
  }

  @Test
  void aChangedHostKeyFailsAndSaysSo() throws Exception {
    SshServer.KeyPair key = SshServer.newKey(keys, "tenant", "-t", "ed25519");
    sshd.authorize(key);
    SshServer.KeyPair impostor = SshServer.newKey(keys, "other-host", "-t", "ed25519");
    String[] typeAndKey = impostor.publicKey().split(" ");
    String line = "[127.0.0.1]:" + sshd.port() + " " + typeAndKey[0] + " " + typeAndKey[1] + "\n";
    Path knownHosts = Files.writeString(sshDirectory.resolve("known_hosts"), line);
    startNode();
    JsonObject synced =
        node.putAndAwaitSync(sshScope("tenant-e", sshd.url(policies.barePath()), "root", key));
    assertEquals("error", synced.getString("outcome"), synced.encode());
    String error = synced.getString("error");
    assertTrue(
        error.contains("(auth)") && error.contains("host key") && error.contains("does not match"),
        error);
    assertEquals(line, Files.readString(knownHosts), "known_hosts is left as it was");
  }

  @Test
  void aServerThatAcceptsAndNeverAnswersFailsAsTimeout() throws Exception {
    SshServer.KeyPair key = SshServer.newKey(keys, "tenant", "-t", "ed25519");
    try (SilentServer silent = new SilentServer()) {
      startNode(2);
      long started = System.nanoTime();
      JsonObject synced =
          node.putAndAwaitSync(
              sshScope(
                  "tenant-g", "ssh://root@127.0.0.1:" + silent.port() + "/x.git", "root", key));
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      assertEquals("error", synced.getString("outcome"), synced.encode());
      assertTrue(synced.getString("error").contains("(timeout)"), synced.getString("error"));
      assertTrue(
          took.compareTo(Duration.ofSeconds(15)) < 0,
          "git.timeoutSeconds=2 bounds it, took " + took);
      assertEquals(1, silent.connections());
    }
    assertEquals(List.of(), sshClientThreads(), "the abandoned session ends too");
  }

  private String servedHash(String scopeId) throws Exception {
    HttpResponse<String> bundle = node.request("GET", "/scopes/" + scopeId + "/policy", null);
    assertEquals(200, bundle.statusCode(), bundle.body());
    return new JsonObject(bundle.body()).getString("hash");
  }

  private JsonObject refreshAndAwait(String scopeId) throws Exception {
    int before = node.synced.matching(field("scope_id", scopeId)).size();
    assertEquals(200, node.request("POST", "/scopes/" + scopeId + "/refresh", null).statusCode());
    return node.synced.await(field("scope_id", scopeId), before + 1, WAIT).get(before);
  }

  /** Threads of Apache MINA sshd clients still alive (each session has its own client). */
  private static List<String> sshClientThreads() throws InterruptedException {
    try {
      Await.until(() -> liveSshThreads().isEmpty(), Duration.ofSeconds(10));
    } catch (AssertionError e) {
      return liveSshThreads();
    }
    return List.of();
  }

  private static List<String> liveSshThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getName)
        .filter(name -> name.startsWith("sshd-"))
        .toList();
  }

  /**
   * No line of the private key's body in any log line, thrown message, event or file under the git
   * base directory (clones and their config included). The scope store keeps the key by design
   * (secrets are write-only, not unstored), so it is not searched.
   */
  private void assertNoKeyMaterialAnywhere(SshServer.KeyPair key) throws IOException {
    List<String> secrets =
        key.privateKey().lines().filter(l -> !l.startsWith("-----") && l.length() >= 32).toList();
    assertFalse(secrets.isEmpty());
    List<String> seen = new ArrayList<>();
    for (ILoggingEvent event : logs.list) {
      seen.add(event.getFormattedMessage());
      for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
        seen.add(t.getMessage());
      }
    }
    node.synced.all().forEach(e -> seen.add(e.encode()));
    try (Stream<Path> files = Files.walk(node.config.gitBaseDir())) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        seen.add(
            file
                + ": "
                + new String(
                    Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1));
      }
    }
    assertTrue(logs.list.size() > 3, "logs were captured");
    for (String text : seen) {
      for (String secret : secrets) {
        assertFalse(text != null && text.contains(secret), "key material leaked into: " + text);
      }
    }
  }
}
