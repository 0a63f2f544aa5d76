package dev.scopesync.git.transport;

import dev.scopesync.model.GitAuth;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.eclipse.jgit.api.TransportConfigCallback;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.RemoteSession;
import org.eclipse.jgit.transport.SshConfigStore;
import org.eclipse.jgit.transport.SshConstants;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.sshd.DefaultProxyDataFactory;
import org.eclipse.jgit.transport.sshd.ServerKeyDatabase;
import org.eclipse.jgit.transport.sshd.SshdSession;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.agent.ConnectorFactory;
import org.eclipse.jgit.util.FS;
import org.eclipse.jgit.util.io.InterruptTimer;

/**
 * Credentials for one clone or fetch, built per operation from the scope's auth, so a
 * secret lives only as long as the operation and is never written into a clone's config
 * or to disk.
 */
public final class GitCredentials {
  private GitCredentials() {}

  /** @return the provider, or null when the remote needs none */
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
   * The ssh side of one clone or fetch: gives an ssh transport a session factory of its own
   * that offers only the scope's key and accepts only host keys listed in
   * {@code <sshDirectory>/known_hosts}. Other transports are left alone.
   */
  public static TransportConfigCallback sshOf(GitAuth auth, Path sshDirectory) {
    return transport -> {
      if (transport instanceof SshTransport ssh) {
        ssh.setSshSessionFactory(new OperationSessions(auth, sshDirectory.toFile()));
      }
    };
  }

  /**
   * The key pairs in a private key's text (OpenSSH or PEM), through Apache MINA sshd's parsers.
   *
   * @throws TransportException when there is none this server can use; the message never
   *     carries the key, and says "authentication" so that {@link GitFailure} files it under
   *     {@code auth}
   */
  static List<KeyPair> parse(String privateKey) throws TransportException {
    List<KeyPair> keys = new ArrayList<>();
    try {
      Iterable<KeyPair> parsed = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName("private_key"),
          new ByteArrayInputStream(privateKey.getBytes(StandardCharsets.US_ASCII)), null);
      if (parsed != null) {
        parsed.forEach(keys::add);
      }
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      // Only the exception's type, and no cause: a parser's message may quote the text it choked on.
      throw new TransportException("authentication impossible: the scope's ssh private_key cannot be read ("
          + e.getClass().getSimpleName() + ")");
    }
    if (keys.isEmpty()) {
      throw new TransportException("authentication impossible: the scope's ssh private_key holds no key");
    }
    return List.copyOf(keys);
  }

  /**
   * JGit's Apache MINA sshd session factory for one operation. It reads nothing from the ssh
   * directory but {@code known_hosts} (no {@code config}, no default identities, no agent),
   * and closes itself when JGit releases its session at the end of the operation. A refused
   * host key or key is reported in words that say what to do ({@link GitFailure} makes
   * both {@code auth}).
   */
  private static final class OperationSessions extends SshdSessionFactory {
    /** Null when the scope has no ssh auth: then no key at all, never the server's own. */
    private final GitAuth.Ssh auth;
    private volatile List<KeyPair> keys = List.of();
    /** Made by JGit once per factory (per home and ssh directory), so once per operation. */
    private volatile KnownHostsOnly hostKeys;

    OperationSessions(GitAuth auth, File sshDirectory) {
      // No key cache: the keys are parsed for this operation only; proxies as for https (the JVM's ProxySelector).
      super(null, new DefaultProxyDataFactory());
      this.auth = auth instanceof GitAuth.Ssh ssh ? ssh : null;
      setSshDirectory(sshDirectory);
    }

    /**
     * Connects and logs in within {@code tms} (the operation's timeout). JGit bounds only the
     * TCP connect by it and then waits for the handshake and login for sshd's own two
     * minutes, so a server that accepts and never answers would hold a git worker that
     * long: an {@link InterruptTimer} (what JGit uses for its reads) cuts the wait short.
     */
    @Override
    public SshdSession getSession(URIish uri, CredentialsProvider credentials, FS fs, int tms)
        throws TransportException {
      if (auth != null) {
        keys = parse(auth.privateKey());
      }
      InterruptTimer alarm = tms > 0 ? new InterruptTimer("scopesync-ssh-login") : null;
      long started = System.nanoTime();
      SshdSession session = null;
      TransportException failure = null;
      try {
        if (alarm != null) {
          alarm.begin(tms);
        }
        session = super.getSession(uri, credentials, fs, tms);
      } catch (TransportException e) {
        failure = e;
      } finally {
        if (alarm != null) {
          alarm.end();
          alarm.terminate();
        }
      }
      // The alarm may have gone off just after the login succeeded: never leave its interrupt behind.
      boolean alarmDue = alarm != null && System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(tms);
      if (alarmDue && Thread.interrupted() && failure == null) {
        releaseSession(session);
        failure = new TransportException(uri, "interrupted", new InterruptedIOException());
      }
      if (failure != null) {
        throw explained(uri, failure, tms);
      }
      return session;
    }

    private TransportException explained(URIish uri, TransportException e, int tms) {
      KnownHostsOnly checked = hostKeys;
      String refusal = checked == null ? null : checked.refusal();
      if (refusal != null) {
        // "server authentication": what a host key check is, and the word GitFailure files under auth.
        return new TransportException(uri, "server authentication failed: " + refusal, e);
      }
      if (loginRefused(e)) {
        return new TransportException(uri, "authentication failed: the server accepted no key of the scope"
            + " for this user", e);
      }
      if (interrupted(e)) {
        return new TransportException(uri, "no ssh handshake and login within the timeout of " + tms / 1000 + " s", e);
      }
      return e;
    }

    private static boolean interrupted(Throwable e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof InterruptedIOException) {
          return true;
        }
      }
      return false;
    }

    private static boolean loginRefused(Throwable e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof SshException ssh
            && ssh.getDisconnectCode() == org.apache.sshd.common.SshConstants.SSH2_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE) {
          return true;
        }
      }
      return false;
    }

    @Override
    protected Iterable<KeyPair> getDefaultKeys(File sshDir) {
      return keys;
    }

    @Override
    protected List<Path> getDefaultIdentities(File sshDir) {
      return List.of();
    }

    @Override
    protected ConnectorFactory getConnectorFactory() {
      return null;
    }

    @Override
    protected String getDefaultPreferredAuthentications() {
      return "publickey";
    }

    @Override
    protected File getSshConfig(File sshDir) {
      return null;
    }

    @Override
    protected SshConfigStore createSshConfigStore(File homeDir, File configFile, String localUserName) {
      String user = auth == null || auth.username() == null || auth.username().isBlank() ? null : auth.username();
      return new FixedHostConfig(user);
    }

    @Override
    protected ServerKeyDatabase createServerKeyDatabase(File homeDir, File sshDir) {
      KnownHostsOnly database = new KnownHostsOnly(super.createServerKeyDatabase(homeDir, sshDir),
          sshDir.toPath().resolve(SshConstants.KNOWN_HOSTS));
      hostKeys = database;
      return database;
    }

    @Override
    public void releaseSession(RemoteSession session) {
      try {
        super.releaseSession(session);
      } finally {
        close();
      }
    }
  }

  /**
   * The ssh settings of every host for one operation, in place of {@code ~/.ssh/config}:
   * strict host key checking, one connection attempt, the scope's user name when the url
   * has none (JGit prefers the url's).
   */
  private static final class FixedHostConfig implements SshConfigStore, SshConfigStore.HostConfig {
    private final Map<String, String> options = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

    FixedHostConfig(String user) {
      options.put(SshConstants.STRICT_HOST_KEY_CHECKING, SshConstants.YES);
      options.put(SshConstants.CONNECTION_ATTEMPTS, "1");
      if (user != null) {
        options.put(SshConstants.USER, user);
      }
    }

    @Override
    public HostConfig lookup(String hostName, int port, String userName) {
      return this;
    }

    @Override
    public HostConfig lookupDefault(String hostName, int port, String userName) {
      return this;
    }

    @Override
    public String getValue(String key) {
      return options.get(key);
    }

    @Override
    public List<String> getValues(String key) {
      String value = options.get(key);
      return value == null ? List.of() : List.of(value);
    }

    @Override
    public Map<String, String> getOptions() {
      return Map.copyOf(options);
    }

    @Override
    public Map<String, List<String>> getMultiValuedOptions() {
      return Map.of();
    }
  }

  /**
   * JGit's known_hosts database with every question answered "no": a host key is accepted
   * only when {@code known_hosts} lists it for the host, whatever an ssh config might say,
   * and nothing is ever added to the file. A refusal is kept, in words that say what to do.
   */
  private static final class KnownHostsOnly implements ServerKeyDatabase {
    private final ServerKeyDatabase knownHosts;
    private final Path file;
    private volatile String refusal;

    KnownHostsOnly(ServerKeyDatabase knownHosts, Path file) {
      this.knownHosts = knownHosts;
      this.file = file;
    }

    @Override
    public List<PublicKey> lookup(String connectAddress, InetSocketAddress remoteAddress, Configuration config) {
      return knownHosts.lookup(connectAddress, remoteAddress, strict(config));
    }

    @Override
    public boolean accept(String connectAddress, InetSocketAddress remoteAddress, PublicKey serverKey,
        Configuration config, CredentialsProvider provider) {
      Configuration strict = strict(config);
      if (knownHosts.accept(connectAddress, remoteAddress, serverKey, strict, null)) {
        return true;
      }
      boolean listed = !knownHosts.lookup(connectAddress, remoteAddress, strict).isEmpty();
      int port = remoteAddress.getPort();
      refusal = listed
          ? "the host key of " + connectAddress + " does not match the one in " + file
              + " (it changed: check with the server's owner before replacing that line)"
          : "the host key of " + connectAddress + " is unknown: add it to " + file + ", e.g. `ssh-keyscan"
              + (port == SshConstants.SSH_DEFAULT_PORT ? "" : " -p " + port) + " " + remoteAddress.getHostString()
              + " >> " + file + "`";
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
}
