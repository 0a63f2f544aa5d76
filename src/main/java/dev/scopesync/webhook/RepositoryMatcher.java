package dev.scopesync.webhook;

import java.util.Objects;
import java.util.Optional;

/**
 * Decides whether a push concerns a scope's repository. Stateless and thread-safe.
 *
 * <p>Unlike OPAL's {@code is_matching_webhook_url}, which compares the url string exactly
 * (scheme, port and case included) and so misses a scope cloned over ssh when the host
 * reports https, urls are compared as {@link RepositoryAddress}es; and full names are
 * consulted even when the event has urls, because a self-hosted server may report itself
 * under another host name than the one the scope clones from. Both choices lean towards a
 * match: a wrong match costs one fetch that finds nothing new, a missed one leaves a
 * tenant's policy stale until the next poll.
 */
public final class RepositoryMatcher {
  private RepositoryMatcher() {}

  /**
   * True when the scope's url names the same repository as one of the event's urls (same
   * host and path, ignoring scheme, credentials, port, a trailing {@code .git}, trailing
   * slashes and case), or when its path is one of the event's {@code owner/name} full names
   * on whatever host. An unparseable scope url matches nothing.
   */
  public static boolean matches(String scopeUrl, PushEvent event) {
    Objects.requireNonNull(event, "event");
    Optional<RepositoryAddress> parsed = RepositoryAddress.parse(scopeUrl);
    if (parsed.isEmpty()) {
      return false;
    }
    RepositoryAddress scope = parsed.get();
    for (String url : event.repositoryUrls()) {
      Optional<RepositoryAddress> pushed = RepositoryAddress.parse(url);
      if (pushed.isPresent() && scope.sameRepositoryAs(pushed.get())) {
        return true;
      }
    }
    return event.fullNames().stream().anyMatch(scope::pathIsFullName);
  }
}
