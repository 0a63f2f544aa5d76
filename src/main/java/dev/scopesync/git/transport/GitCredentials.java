package dev.scopesync.git.transport;

import dev.scopesync.model.GitAuth;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.eclipse.jgit.api.TransportConfigCallback;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

/**
 * Credentials for one clone or fetch, built per operation from the scope's auth, so a secret lives
 * only as long as the operation and is never written into a clone's config or to disk.
 */
public final class GitCredentials {
  private GitCredentials() {}

  /**
   * @return the provider, or null when the remote needs none
   */
  public static CredentialsProvider of(GitAuth auth) {
    if (auth instanceof GitAuth.GithubToken token) {
      // GitHub accepts any user name with a token as the password; OPAL sends "git".
      return new UsernamePasswordCredentialsProvider("git", token.token());
    }
    if (auth instanceof GitAuth.UserPass userPass) {
      return new UsernamePasswordCredentialsProvider(userPass.username(), userPass.password());
    }
    return null;
  }

  /**
   * The ssh side of one clone or fetch: gives an ssh transport a session factory of its own that
   * offers only the scope's key and accepts only host keys listed in {@code
   * <sshDirectory>/known_hosts}. Other transports are left alone.
   */
  public static TransportConfigCallback sshOf(GitAuth auth, Path sshDirectory) {
    return transport -> {
      if (transport instanceof SshTransport ssh) {
        ssh.setSshSessionFactory(new SshOperationSessions(auth, sshDirectory.toFile()));
      }
    };
  }

  /**
   * The key pairs in a private key's text (OpenSSH or PEM), through Apache MINA sshd's parsers.
   *
   * @throws TransportException when there is none this server can use; the message never carries
   *     the key, and says "authentication" so that {@link GitFailure} files it under {@code auth}
   */
  static List<KeyPair> parse(String privateKey) throws TransportException {
    List<KeyPair> keys = new ArrayList<>();
    try {
      Iterable<KeyPair> parsed =
          SecurityUtils.loadKeyPairIdentities(
              null,
              NamedResource.ofName("private_key"),
              new ByteArrayInputStream(privateKey.getBytes(StandardCharsets.US_ASCII)),
              null);
      if (parsed != null) {
        parsed.forEach(keys::add);
      }
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      // Only the exception's type, and no cause: a parser's message may quote the text it choked
      // on.
      throw new TransportException(
          "authentication impossible: the scope's ssh private_key cannot be read ("
              + e.getClass().getSimpleName()
              + ")");
    }
    if (keys.isEmpty()) {
      throw new TransportException(
          "authentication impossible: the scope's ssh private_key holds no key");
    }
    return List.copyOf(keys);
  }
}
