package dev.scopesync.git;

import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.util.Locale;
import org.eclipse.jgit.api.errors.InvalidRemoteException;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.errors.NotSupportedException;

/**
 * A failed clone or fetch, typed by what should happen next (the outcome label of
 * {@code scopesync_git_operations_total}): {@code auth} and {@code not_found} need a person,
 * {@code timeout} and {@code error} are worth retrying later. JGit's exceptions are
 * converted here, once, keeping the cause.
 */
public final class GitFailure extends Exception {
  public enum Kind {
    TIMEOUT("timeout"), AUTH("auth"), NOT_FOUND("not_found"), ERROR("error");

    final String label;

    Kind(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }

    /** Retrying cannot help until someone fixes the credentials, the url or the repository. */
    public boolean needsPerson() {
      return this == AUTH || this == NOT_FOUND;
    }
  }

  private final Kind kind;

  GitFailure(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  public boolean needsPerson() {
    return kind.needsPerson();
  }

  public static GitFailure classify(String operation, String url, Throwable e) {
    if (e instanceof GitFailure failure) {
      return failure;
    }
    Kind kind = kindOf(e);
    String reason = rootMessage(e);
    return new GitFailure(kind, operation + " of " + url + " failed (" + kind.label + "): " + reason, e);
  }

  private static Kind kindOf(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SocketTimeoutException || t instanceof InterruptedIOException
          || t instanceof InterruptedException) {
        return Kind.TIMEOUT;
      }
      if (t instanceof NoRemoteRepositoryException || t instanceof InvalidRemoteException
          || t instanceof NotSupportedException) {
        return Kind.NOT_FOUND;
      }
      String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      if (message.contains("timeout") || message.contains("timed out")) {
        return Kind.TIMEOUT;
      }
      if (t instanceof TransportException || t instanceof org.eclipse.jgit.errors.TransportException) {
        if (message.contains("not authorized") || message.contains("authentication")
            || message.contains("auth fail") || message.contains("401") || message.contains("403")) {
          return Kind.AUTH;
        }
        if (message.contains("not found") || message.contains("404") || message.contains("does not appear")) {
          return Kind.NOT_FOUND;
        }
      }
    }
    return Kind.ERROR;
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String top = String.valueOf(e.getMessage());
    return root == e ? top : top + " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
  }
}
