package dev.scopesync.git.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.git.GitFailure;
import dev.scopesync.testing.SshServer;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.stream.Stream;
import org.eclipse.jgit.errors.TransportException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Reading a scope's private key: every format ssh-keygen writes, and refusals that never quote the
 * key.
 */
class GitCredentialsTest {
  @TempDir Path dir;

  static Stream<Arguments> keyFormats() {
    return Stream.of(
        Arguments.of("ed25519 in OpenSSH format", "Ed", List.of("-t", "ed25519")),
        Arguments.of("RSA in OpenSSH format", "RSA", List.of("-t", "rsa", "-b", "2048")),
        Arguments.of(
            "RSA in PEM (BEGIN RSA PRIVATE KEY)",
            "RSA",
            List.of("-t", "rsa", "-b", "2048", "-m", "PEM")),
        Arguments.of(
            "RSA in PKCS#8 (BEGIN PRIVATE KEY)",
            "RSA",
            List.of("-t", "rsa", "-b", "2048", "-m", "PKCS8")),
        Arguments.of("ECDSA in OpenSSH format", "EC", List.of("-t", "ecdsa", "-b", "256")),
        Arguments.of(
            "ECDSA in PEM (BEGIN EC PRIVATE KEY)",
            "EC",
            List.of("-t", "ecdsa", "-b", "384", "-m", "PEM")));
  }

  @ParameterizedTest(name = "{0} is read")
  @MethodSource("keyFormats")
  void everyFormatSshKeygenWritesIsRead(String name, String algorithm, List<String> options)
      throws Exception {
    SshServer.KeyPair key = SshServer.newKey(dir, "key", options.toArray(String[]::new));
    List<KeyPair> keys = GitCredentials.parse(key.privateKey());
    assertEquals(1, keys.size(), name);
    assertTrue(
        keys.get(0).getPrivate().getAlgorithm().startsWith(algorithm),
        name + ": " + keys.get(0).getPrivate().getAlgorithm());
  }

  @Test
  void aPassphraseProtectedKeyIsRefusedAsAuthWithoutQuotingIt() throws Exception {
    SshServer.KeyPair key =
        SshServer.newKey(dir, "locked", "-t", "ed25519", "-N", "secret passphrase");
    assertRefusedWithoutQuoting(key.privateKey());
  }

  @Test
  void aKeyWhoseBodyIsNotAKeyIsRefusedAsAuthWithoutQuotingIt() {
    String body =
        "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW"
            + "QyNTUxOQAAACCEZncB5n8S+CtJf2OS321bDvrB9p3ab8uxnLBJD1oicQAAAIiZ0G67mdBu";
    assertRefusedWithoutQuoting(
        "-----BEGIN OPENSSH PRIVATE KEY-----\n" + body + "\n-----END OPENSSH PRIVATE KEY-----\n");
  }

  private static void assertRefusedWithoutQuoting(String privateKey) {
    TransportException refused =
        assertThrows(TransportException.class, () -> GitCredentials.parse(privateKey));
    String message = refused.getMessage();
    assertTrue(message.contains("authentication impossible"), "filed under auth: " + message);
    assertEquals(null, refused.getCause(), "no cause that might quote the key");
    for (String line : privateKey.lines().filter(l -> !l.startsWith("-----")).toList()) {
      assertFalse(message.contains(line.substring(0, Math.min(20, line.length()))), message);
    }
    assertEquals(
        GitFailure.Kind.AUTH, GitFailure.classify("clone", "ssh://h/x.git", refused).kind());
  }
}
