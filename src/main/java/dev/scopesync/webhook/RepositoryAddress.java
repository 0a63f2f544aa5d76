package dev.scopesync.webhook;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a repository lives, reduced to what identifies it: a lower-case host and a path without
 * leading or trailing slashes or a trailing {@code .git}. Scheme, user, password, port, query and
 * fragment are dropped: {@code https://github.com/o/r}, {@code ssh://git@github.com:22/o/r.git} and
 * {@code git@github.com:o/r.git} are one address.
 *
 * <p>The port is dropped because it follows from the scheme (ssh on 22 or 7999, https on 443), so
 * keeping it would make a repository's ssh and https urls differ; two git servers on one host told
 * apart only by port are rare, and confusing them costs one needless fetch.
 */
record RepositoryAddress(String host, String path) {
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*$");

  /** {@code [user@]host:path}, git's scp-like ssh syntax: no slash before the colon. */
  private static final Pattern SCP_LIKE =
      Pattern.compile("^(?:[^@/]+@)?(?<host>[^@/:\\[\\]]+|\\[[0-9A-Fa-f:.]+\\]):(?<path>.*)$");

  private static final String GIT_SUFFIX = ".git";

  /** The address a url names, or empty when it is not a url of a repository. */
  static Optional<RepositoryAddress> parse(String url) {
    if (url == null || url.isBlank()) {
      return Optional.empty();
    }
    String text = url.strip();
    String host;
    String path;
    int schemeEnd = text.indexOf("://");
    if (schemeEnd >= 0) {
      if (!SCHEME.matcher(text.substring(0, schemeEnd)).matches()) {
        return Optional.empty();
      }
      String rest = text.substring(schemeEnd + 3);
      int authorityEnd = indexOfAny(rest, "/?#");
      host = hostOf(authorityEnd < 0 ? rest : rest.substring(0, authorityEnd));
      path = authorityEnd < 0 ? "" : rest.substring(authorityEnd);
    } else {
      Matcher scp = SCP_LIKE.matcher(text);
      if (!scp.matches()) {
        return Optional.empty();
      }
      host = scp.group("host").toLowerCase(Locale.ROOT);
      path = scp.group("path");
    }
    path = normalizePath(path);
    if (path.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(KnownHosts.canonical(new RepositoryAddress(host, path)));
  }

  /** A repository path as compared: no query or fragment, single slashes, no {@code .git}. */
  static String normalizePath(String path) {
    String p = path;
    int end = indexOfAny(p, "?#");
    if (end >= 0) {
      p = p.substring(0, end);
    }
    p = stripSlashes(p.replaceAll("/{2,}", "/"));
    if (p.regionMatches(
        true, p.length() - GIT_SUFFIX.length(), GIT_SUFFIX, 0, GIT_SUFFIX.length())) {
      p = stripSlashes(p.substring(0, p.length() - GIT_SUFFIX.length()));
    }
    return p;
  }

  private static String hostOf(String authority) {
    String hostAndPort = authority.substring(authority.lastIndexOf('@') + 1);
    String host;
    if (hostAndPort.startsWith("[")) {
      int close = hostAndPort.indexOf(']');
      host = close < 0 ? hostAndPort : hostAndPort.substring(0, close + 1);
    } else {
      int colon = hostAndPort.indexOf(':');
      host = colon < 0 ? hostAndPort : hostAndPort.substring(0, colon);
    }
    return host.toLowerCase(Locale.ROOT);
  }

  private static String stripSlashes(String path) {
    int start = 0;
    int end = path.length();
    while (start < end && path.charAt(start) == '/') {
      start++;
    }
    while (end > start && path.charAt(end - 1) == '/') {
      end--;
    }
    return path.substring(start, end);
  }

  private static int indexOfAny(String text, String characters) {
    for (int i = 0; i < text.length(); i++) {
      if (characters.indexOf(text.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }
}
