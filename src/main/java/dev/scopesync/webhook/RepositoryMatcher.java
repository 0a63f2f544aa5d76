package dev.scopesync.webhook;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Decides whether a push concerns a scope's repository, and gives the keys a scope index finds the
 * concerned scopes by (DESIGN §13). Stateless and thread-safe.
 *
 * <p>Unlike OPAL's {@code is_matching_webhook_url}, which compares the url string exactly (scheme,
 * port and case included) and so misses a scope cloned over ssh when the host reports https, urls
 * are compared as {@link RepositoryAddress}es (a wrong match costs one fetch that finds nothing
 * new, a missed one leaves a tenant's policy stale until the next poll). A bare {@code owner/name}
 * full name matches only on the hosts the push's urls name, or on any host when it names no url:
 * {@code acme/policies} pushed on github.com does not refresh a same-named repository on another
 * server (DESIGN §13).
 */
public final class RepositoryMatcher {
  private RepositoryMatcher() {}

  /**
   * True when the scope's url names the same repository as one of the event's urls (same host and
   * path, ignoring scheme, credentials, port, a trailing {@code .git}, trailing slashes and case),
   * or when its path is one of the event's {@code owner/name} full names on the host of one of the
   * event's urls, or on any host when the event names no url. An unparseable scope url matches
   * nothing.
   */
  public static boolean matches(String scopeUrl, PushEvent event) {
    Objects.requireNonNull(event, "event");
    Optional<String> key = keyOf(scopeUrl);
    if (key.isEmpty()) {
      return false;
    }
    if (keysOf(event).contains(key.get())) {
      return true;
    }
    return !hasUrls(event) && fullNamePaths(event).contains(pathOf(scopeUrl).orElse(""));
  }

  /**
   * A repository url's key as an index holds it: {@code host/path}, lower case; empty when not a
   * repository url.
   */
  public static Optional<String> keyOf(String url) {
    return RepositoryAddress.parse(url).map(a -> key(a.host(), a.path()));
  }

  /** A repository url's path as an index holds it ({@code owner/name}, lower case). */
  public static Optional<String> pathOf(String url) {
    return RepositoryAddress.parse(url).map(a -> a.path().toLowerCase(Locale.ROOT));
  }

  /**
   * The repository keys a push concerns: each url's, and each full name on each url's host (a
   * self-hosted server may name the repository by its full name only).
   */
  public static Set<String> keysOf(PushEvent event) {
    Set<String> keys = new LinkedHashSet<>();
    Set<String> hosts = new LinkedHashSet<>();
    for (String url : event.repositoryUrls()) {
      RepositoryAddress.parse(url)
          .ifPresent(
              a -> {
                keys.add(key(a.host(), a.path()));
                hosts.add(a.host());
              });
    }
    for (String host : hosts) {
      for (String path : fullNamePaths(event)) {
        keys.add(key(host, path));
      }
    }
    return keys;
  }

  /**
   * Whether the push names its repository by at least one url (else only full names match, on any
   * host).
   */
  public static boolean hasUrls(PushEvent event) {
    return event.repositoryUrls().stream()
        .anyMatch(url -> RepositoryAddress.parse(url).isPresent());
  }

  /** The event's full names as paths ({@code owner/name}, lower case, normalised as paths are). */
  public static Set<String> fullNamePaths(PushEvent event) {
    Set<String> paths = new LinkedHashSet<>();
    for (String name : event.fullNames()) {
      String path = RepositoryAddress.normalizePath(name);
      if (!path.isEmpty()) {
        paths.add(path.toLowerCase(Locale.ROOT));
      }
    }
    return paths;
  }

  /**
   * Host and path ignore case: GitHub, GitLab, Bitbucket and Azure DevOps all resolve repository
   * paths case-insensitively (Bitbucket Data Center even sends {@code /scm/PROJ/…} and {@code
   * /proj/…} for one repository), and a scope url typed in other case than the host's canonical one
   * must still be refreshed; a false match only costs a fetch that finds nothing new.
   */
  private static String key(String host, String path) {
    return host.toLowerCase(Locale.ROOT) + "/" + path.toLowerCase(Locale.ROOT);
  }
}
