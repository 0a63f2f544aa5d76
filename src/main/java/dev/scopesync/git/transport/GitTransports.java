package dev.scopesync.git.transport;

import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.TransportProtocol;

/**
 * Installs, once per JVM, a git:// transport whose sockets have SO_TIMEOUT = the operation's
 * timeout ({@link Transport#getTimeout()}, seconds; 0 = none), so a silent git daemon fails the
 * read instead of hanging.
 *
 * <p>Call {@link #install()} before the first clone or fetch. JGit's registry is global: from then
 * on every {@code git://} operation in the process uses {@link TimeoutGitAnonTransport}, because
 * {@link Transport#register} puts it ahead of JGit's built-in protocols, which are tried in list
 * order. Thread-safe.
 */
public final class GitTransports {
  /**
   * Held here for the life of the process: JGit keeps registered protocols only through weak
   * references, so an unreferenced protocol would silently drop out and git:// would fall back to
   * JGit's hanging transport.
   */
  private static final TransportProtocol GIT_WITH_READ_TIMEOUT =
      new TimeoutGitAnonTransport.Protocol();

  private static boolean installed;

  private GitTransports() {}

  /**
   * Registers the git:// transport with JGit and starts JGit's once-per-process set-up in the
   * background ({@link JGitWarmUp}); later calls do nothing.
   */
  public static synchronized void install() {
    if (!installed) {
      Transport.register(GIT_WITH_READ_TIMEOUT);
      installed = true;
      JGitWarmUp.start();
    }
  }

  /** The registered protocol, for tests that check it is the one JGit picks. */
  static TransportProtocol gitProtocol() {
    return GIT_WITH_READ_TIMEOUT;
  }
}
