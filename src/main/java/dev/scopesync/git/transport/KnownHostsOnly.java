package dev.scopesync.git.transport;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.SshConstants;
import org.eclipse.jgit.transport.sshd.ServerKeyDatabase;

/**
 * JGit's known_hosts database with every question answered "no": a host key is accepted only when
 * {@code known_hosts} lists it for the host, whatever an ssh config might say, and nothing is ever
 * added to the file. A refusal is kept, in words that say what to do. This is the whole host-key
 * policy of an ssh remote, with {@link FixedHostConfig}'s strict checking; {@link
 * SshOperationSessions} installs both for each operation.
 */
final class KnownHostsOnly implements ServerKeyDatabase {
  private final ServerKeyDatabase knownHosts;
  private final Path file;
  private volatile String refusal;

  KnownHostsOnly(ServerKeyDatabase knownHosts, Path file) {
    this.knownHosts = knownHosts;
    this.file = file;
  }

  @Override
  public List<PublicKey> lookup(
      String connectAddress, InetSocketAddress remoteAddress, Configuration config) {
    return knownHosts.lookup(connectAddress, remoteAddress, strict(config));
  }

  @Override
  public boolean accept(
      String connectAddress,
      InetSocketAddress remoteAddress,
      PublicKey serverKey,
      Configuration config,
      CredentialsProvider provider) {
    Configuration strict = strict(config);
    if (knownHosts.accept(connectAddress, remoteAddress, serverKey, strict, null)) {
      return true;
    }
    boolean listed = !knownHosts.lookup(connectAddress, remoteAddress, strict).isEmpty();
    int port = remoteAddress.getPort();
    refusal =
        listed
            ? "the host key of "
                + connectAddress
                + " does not match the one in "
                + file
                + " (it changed: check with the server's owner before replacing that line)"
            : "the host key of "
                + connectAddress
                + " is unknown: add it to "
                + file
                + ", e.g. `ssh-keyscan"
                + (port == SshConstants.SSH_DEFAULT_PORT ? "" : " -p " + port)
                + " "
                + remoteAddress.getHostString()
                + " >> "
                + file
                + "`";
    return false;
  }

  /** Why the last host key was refused, or null. */
  String refusal() {
    return refusal;
  }

  private static Configuration strict(Configuration config) {
    return new Configuration() {
      @Override
      public List<String> getUserKnownHostsFiles() {
        return List.of();
      }

      @Override
      public List<String> getGlobalKnownHostsFiles() {
        return List.of();
      }

      @Override
      public StrictHostKeyChecking getStrictHostKeyChecking() {
        return StrictHostKeyChecking.REQUIRE_MATCH;
      }

      @Override
      public boolean getHashKnownHosts() {
        return false;
      }

      @Override
      public String getUsername() {
        return config.getUsername();
      }
    };
  }
}
