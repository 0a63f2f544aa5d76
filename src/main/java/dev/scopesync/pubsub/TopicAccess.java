package dev.scopesync.pubsub;

import dev.scopesync.auth.Claims;
import java.util.List;

/**
 * Which topics a verified client may subscribe (or publish) to (DESIGN §12): a scope's topics
 * ({@code S:policy:…}, {@code S:data:…}) only when {@code S} is in the token's {@code
 * allowed_scopes}; unscoped topics ({@code policy:.}, {@code policy_data}, the {@code default}
 * scope's) with any valid token, as OPAL's non-scoped routes; and, when the token has {@code
 * permitted_topics}, only those (OPAL's rule). Claims of a disabled policy permit everything.
 *
 * <p>Stateless; thread-safe.
 */
public final class TopicAccess {
  private TopicAccess() {}

  /** Whether every one of {@code topics} is permitted: a subscribe is all or nothing. */
  public static boolean permitsAll(Claims claims, List<String> topics) {
    return topics.stream().allMatch(topic -> permits(claims, topic));
  }

  static boolean permits(Claims claims, String topic) {
    if (!claims.enforced()) {
      return true;
    }
    if (claims.permittedTopics() != null && !claims.permittedTopics().contains(topic)) {
      return false;
    }
    List<String> allowed = claims.allowedScopes() == null ? List.of() : claims.allowedScopes();
    for (String scope : allowed) {
      if (topic.startsWith(scope + ":" + Topics.POLICY)
          || topic.startsWith(scope + ":" + Topics.DATA)) {
        return true;
      }
    }
    // Anything that may name a scope (a scope id may hold ':') is a scope's topic, and that scope
    // is not allowed; the rest are the unscoped topics of OPAL's non-scoped clients.
    return !topic.contains(":" + Topics.POLICY) && !topic.contains(":" + Topics.DATA);
  }
}
