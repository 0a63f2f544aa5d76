package dev.scopesync.git.transport;

import dev.scopesync.model.GitAuth;
import java.io.File;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.SshException;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.RemoteSession;
import org.eclipse.jgit.transport.SshConfigStore;
import org.eclipse.jgit.transport.SshConstants;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.sshd.DefaultProxyDataFactory;
import org.eclipse.jgit.transport.sshd.ServerKeyDatabase;
import org.eclipse.jgit.transport.sshd.SshdSession;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.agent.ConnectorFactory;
import org.eclipse.jgit.util.FS;
import org.eclipse.jgit.util.io.InterruptTimer;

/**
 * JGit's Apache MINA sshd session factory for one operation. It reads nothing from the ssh
 * directory but {@code known_hosts} (no {@code config}, no default identities, no agent), and
 * closes itself when JGit releases its session at the end of the operation. A refused host key or
 * key is reported in words that say what to do ({@link GitFailure} makes both {@code auth}).
 */
final class SshOperationSessions extends SshdSessionFactory {
  /** Null when the scope has no ssh auth: then no key at all, never the server's own. */
  private final GitAuth.Ssh auth;

  private volatile List<KeyPair> keys = List.of();

  /** Made by JGit once per factory (per home and ssh directory), so once per operation. */
  private volatile KnownHostsOnly hostKeys;

  SshOperationSessions(GitAuth auth, File sshDirectory) {
    // No key cache: the keys are parsed for this operation only; proxies as for https (the JVM's
    // ProxySelector).
    super(null, new DefaultProxyDataFactory());
    this.auth = auth instanceof GitAuth.Ssh ssh ? ssh : null;
    setSshDirectory(sshDirectory);
  }

  /**
   * Connects and logs in within {@code tms} (the operation's timeout). JGit bounds only the TCP
   * connect by it and then waits for the handshake and login for sshd's own two minutes, so a
   * server that accepts and never answers would hold a git worker that long: an {@link
   * InterruptTimer} (what JGit uses for its reads) cuts the wait short.
   */
  @Override
  public SshdSession getSession(URIish uri, CredentialsProvider credentials, FS fs, int tms)
      throws TransportException {
    if (auth != null) {
      keys = GitCredentials.parse(auth.privateKey());
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
    boolean alarmDue =
        alarm != null && System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(tms);
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
      // "server authentication": what a host key check is, and the word GitFailure files under
      // auth.
      return new TransportException(uri, "server authentication failed: " + refusal, e);
    }
    if (loginRefused(e)) {
      return new TransportException(
          uri,
          "authentication failed: the server accepted no key of the scope" + " for this user",
          e);
    }
    if (interrupted(e)) {
      return new TransportException(
          uri, "no ssh handshake and login within the timeout of " + tms / 1000 + " s", e);
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
          && ssh.getDisconnectCode()
              == org.apache.sshd.common.SshConstants
                  .SSH2_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE) {
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
  protected SshConfigStore createSshConfigStore(
      File homeDir, File configFile, String localUserName) {
    String user =
        auth == null || auth.username() == null || auth.username().isBlank()
            ? null
            : auth.username();
    return new FixedHostConfig(user);
  }

  @Override
  protected ServerKeyDatabase createServerKeyDatabase(File homeDir, File sshDir) {
    KnownHostsOnly database =
        new KnownHostsOnly(
            super.createServerKeyDatabase(homeDir, sshDir),
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
