package dev.scopesync.git;

import dev.scopesync.git.transport.GitCredentials;
import dev.scopesync.model.GitAuth;
import dev.scopesync.runtime.ElasticThreadPool;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ProgressMonitor;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.Transport;

/**
 * What a clone and a fetch share (the shape of JGit's {@code TransportCommand}): the scope's
 * credentials, a timeout on the whole operation, the ssh directory and a shutdown signal, and one
 * way to talk to the remote {@value #REMOTE} that ends at the deadline and converts JGit's
 * exceptions once into a {@link GitFailure}. Not thread-safe: one command, one call.
 *
 * @param <C> the command, so that the setters chain
 */
abstract class RemoteCommand<C extends RemoteCommand<C>> {
  static final String REMOTE = Constants.DEFAULT_REMOTE_NAME;

  /**
   * Closes the transport of a clone or fetch that outlives its timeout (one daemon thread for all,
   * there only while a clone or fetch runs or was cancelled lately).
   */
  private static final ScheduledThreadPoolExecutor WATCHDOG = watchdog();

  private GitAuth auth = new GitAuth.None();
  private int timeoutSeconds = 120;
  private Path sshDirectory = Path.of(System.getProperty("user.home"), ".ssh");
  private BooleanSupplier stopping = () -> false;

  /** The scope's credentials; none by default. */
  public C setAuth(GitAuth auth) {
    this.auth = Objects.requireNonNull(auth, "auth (GitAuth.None for none)");
    return self();
  }

  /**
   * The limit on the whole operation, connect to last byte; 120 s by default (git.timeoutSeconds).
   */
  public C setTimeout(int seconds) {
    if (seconds <= 0) {
      throw new IllegalArgumentException("timeout must be positive, was " + seconds + " s");
    }
    this.timeoutSeconds = seconds;
    return self();
  }

  /**
   * Where an ssh remote's host key is looked up ({@code known_hosts}); {@code ~/.ssh} by default.
   */
  public C setSshDirectory(Path sshDirectory) {
    this.sshDirectory = Objects.requireNonNull(sshDirectory, "sshDirectory");
    return self();
  }

  /** True once the server is shutting down: the operation then gives up. Never by default. */
  public C setStopping(BooleanSupplier stopping) {
    this.stopping = Objects.requireNonNull(stopping, "stopping");
    return self();
  }

  @SuppressWarnings("unchecked")
  private C self() {
    return (C) this;
  }

  /** The part of an operation that talks to the remote. */
  @FunctionalInterface
  interface OverTransport<R> {
    R run(Transport transport, ProgressMonitor deadline) throws Exception;
  }

  /**
   * Runs {@code body} over a transport to {@code repo}'s remote {@value #REMOTE}.
   *
   * @param op names the operation in a failure's message ({@code clone}, {@code fetch})
   */
  final <R> R overTransport(Repository repo, String op, String url, OverTransport<R> body)
      throws GitFailure {
    OperationDeadline deadline = new OperationDeadline(timeoutSeconds, stopping);
    // The transport is ours rather than FetchCommand's so that a watchdog can close it at
    // the deadline: that ends even a read that a remote feeds one byte at a time, which
    // neither the read timeout nor JGit's cancellation checks would stop.
    try (Transport transport = Transport.open(repo, REMOTE)) {
      transport.setTimeout(timeoutSeconds);
      // Branches are all a sync needs. With tags auto-followed, JGit opens a second
      // connection whenever the remote has tags the pack did not include.
      transport.setTagOpt(TagOpt.NO_TAGS);
      transport.setCredentialsProvider(GitCredentials.of(auth));
      GitCredentials.sshOf(auth, sshDirectory).configure(transport);
      ScheduledFuture<?> watchdog =
          WATCHDOG.schedule(
              () -> {
                deadline.expire();
                transport.close();
              },
              timeoutSeconds,
              TimeUnit.SECONDS);
      try {
        return body.run(transport, deadline);
      } finally {
        watchdog.cancel(false);
      }
    } catch (Exception e) {
      throw failure(op, url, deadline, e);
    }
  }

  private GitFailure failure(String op, String url, OperationDeadline deadline, Exception e) {
    if (deadline.expired()) {
      return new GitFailure(
          GitFailure.Kind.TIMEOUT,
          op
              + " of "
              + url
              + " failed (timeout): no result within git.timeoutSeconds="
              + timeoutSeconds,
          e);
    }
    if (stopping.getAsBoolean()) {
      return new GitFailure(
          GitFailure.Kind.ERROR, op + " of " + url + " cancelled: the server is stopping", e);
    }
    return GitFailure.classify(op, url, e);
  }

  private static ScheduledThreadPoolExecutor watchdog() {
    ScheduledThreadPoolExecutor watchdog =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread thread = new Thread(r, "scopesync-git-watchdog");
              thread.setDaemon(true);
              return thread;
            });
    // A cancelled deadline leaves the queue at once, so an idle watchdog thread can end.
    watchdog.setRemoveOnCancelPolicy(true);
    watchdog.setKeepAliveTime(ElasticThreadPool.idleKeepAlive().toNanos(), TimeUnit.NANOSECONDS);
    watchdog.allowCoreThreadTimeOut(true);
    return watchdog;
  }
}
