package dev.scopesync.git;

import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.errors.InvalidRemoteException;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.errors.NotSupportedException;

/**
 * A failed clone or fetch, typed by what should happen next: {@link Kind} says what went wrong (the
 * outcome label of {@code scopesync_git_operations_total}, and a stable name for a {@code kind}
 * JSON field), {@link Action} what to do about it. JGit's exceptions are converted here, once,
 * keeping the cause.
 *
 * <p>How a caller uses it: {@code failure.action() == Action.NEEDS_PERSON} (or {@link
 * #needsPerson()}) means the scope or the remote must be fixed first (bad url, bad credentials, no
 * such repository or branch): report it once and back off long; {@link Action#RETRY} means the
 * remote may answer next time (network, timeout, server trouble, anything unrecognised): retry on
 * the usual schedule.
 */
public final class GitFailure extends Exception {
  /** What should happen after a failure. */
  public enum Action {
    /** Retrying changes nothing until someone fixes the scope or the remote. */
    NEEDS_PERSON("needs_person"),
    /** The same request may succeed later. */
    RETRY("retry");

    private final String label;

    Action(String label) {
      this.label = label;
    }

    /** A stable lower-case name, for logs and JSON. */
    public String label() {
      return label;
    }
  }

  /** What went wrong; each kind has one {@link Action}. */
  public enum Kind {
    /** Credentials refused or unusable, or an ssh host key not trusted. */
    AUTH("auth", Action.NEEDS_PERSON),
    /** No repository at the url, or no such branch in it. */
    NOT_FOUND("not_found", Action.NEEDS_PERSON),
    /** A url that cannot work: an unsupported protocol, a malformed url. */
    BAD_URL("bad_url", Action.NEEDS_PERSON),
    /** No result within the operation's timeout. */
    TIMEOUT("timeout", Action.RETRY),
    /** Connection refused, reset or unreachable. */
    NETWORK("network", Action.RETRY),
    /** Anything else (a server error, a cancelled operation, an unknown failure). */
    ERROR("error", Action.RETRY);

    final String label;
    private final Action action;

    Kind(String label, Action action) {
      this.label = label;
      this.action = action;
    }

    /** A stable lower-case name: the metric's outcome label and a {@code kind} JSON field. */
    public String label() {
      return label;
    }

    public Action action() {
      return action;
    }
  }

  private static final List<String> AUTH_WORDS =
      List.of("not authorized", "not permitted", "authentication", "auth fail");

  /**
   * HTTP statuses JGit puts in its messages, as whole numbers: a port such as 40325 in the url is
   * not a 403 (the url itself is also taken out of the message before any word is looked for).
   */
  private static final Pattern AUTH_STATUS = Pattern.compile("\\b40[13]\\b");

  private static final Pattern URL_IN_TEXT = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://\\S*");

  private static final Pattern NOT_FOUND_STATUS = Pattern.compile("\\b404\\b");
  private static final List<String> NOT_FOUND_WORDS =
      List.of(
          "not found", "no such repository", "does not appear", "not exported", "does not exist");
  private static final List<String> BAD_URL_WORDS = List.of("uri not supported");
  private static final List<String> NETWORK_WORDS =
      List.of(
          "unknown host",
          "connection refused",
          "connection reset",
          "no route to host",
          "network is unreachable",
          "broken pipe",
          "connection failed");

  private final Kind kind;

  GitFailure(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  /** What should happen next, derived from the {@link #kind()}. */
  public Action action() {
    return kind.action();
  }

  /** True when retrying is pointless until someone fixes the scope or the remote. */
  public boolean needsPerson() {
    return action() == Action.NEEDS_PERSON;
  }

  public static GitFailure classify(String operation, String url, Throwable e) {
    if (e instanceof GitFailure failure) {
      return failure;
    }
    Kind kind = kindOf(e, url);
    String reason = rootMessage(e);
    return new GitFailure(
        kind, operation + " of " + url + " failed (" + kind.label + "): " + reason, e);
  }

  /**
   * The first cause that says what happened wins. JGit often drops the cause and keeps only words
   * (a refused connection on git:// is "Connection refused", an unknown host "unknown host"), so a
   * transport exception's message is read too.
   */
  private static Kind kindOf(Throwable e, String url) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SocketTimeoutException
          || t instanceof InterruptedIOException
          || t instanceof InterruptedException) {
        return Kind.TIMEOUT;
      }
      // A host that does not resolve may be a typo or a resolver's blip (a DNS restart makes
      // every scope fail at once): retried, never backed off as if a person were needed.
      if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
        return Kind.NETWORK;
      }
      if (t instanceof NotSupportedException || t instanceof URISyntaxException) {
        return Kind.BAD_URL;
      }
      if (t instanceof NoRemoteRepositoryException || t instanceof InvalidRemoteException) {
        return Kind.NOT_FOUND;
      }
      if (t instanceof ConnectException
          || t instanceof NoRouteToHostException
          || t instanceof PortUnreachableException) {
        return Kind.NETWORK;
      }
      String message = withoutUrl(String.valueOf(t.getMessage()), url);
      if (message.contains("timeout") || message.contains("timed out")) {
        return Kind.TIMEOUT;
      }
      if (t instanceof TransportException
          || t instanceof org.eclipse.jgit.errors.TransportException) {
        if (containsAny(message, NETWORK_WORDS)) {
          return Kind.NETWORK;
        }
        if (containsAny(message, AUTH_WORDS) || AUTH_STATUS.matcher(message).find()) {
          return Kind.AUTH;
        }
        if (containsAny(message, NOT_FOUND_WORDS) || NOT_FOUND_STATUS.matcher(message).find()) {
          return Kind.NOT_FOUND;
        }
        if (containsAny(message, BAD_URL_WORDS)) {
          return Kind.BAD_URL;
        }
      }
      if (t instanceof SocketException) {
        return Kind.NETWORK;
      }
    }
    return Kind.ERROR;
  }

  /**
   * The message in lower case with every url taken out: the operation's url and any other JGit
   * names (a redirect's target) may hold any digits or words.
   */
  private static String withoutUrl(String message, String url) {
    String text = url == null || url.isEmpty() ? message : message.replace(url, " ");
    return URL_IN_TEXT.matcher(text).replaceAll(" ").toLowerCase(Locale.ROOT);
  }

  private static boolean containsAny(String message, List<String> words) {
    for (String word : words) {
      if (message.contains(word)) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String top = String.valueOf(e.getMessage());
    return root == e
        ? top
        : top + " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
  }
}
