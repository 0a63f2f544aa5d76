package dev.scopesync.webhook;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;

/**
 * Who sent a webhook and whether it reports a push, read from the sender's event header or, for
 * Azure DevOps (which sends no identifying header), from the payload's {@code eventType}.
 */
record EventType(String provider, String name, boolean isPush) {
  /** GitLab names a tag push separately; it is still a push (of no branch). */
  private static final Set<String> GITLAB_PUSHES = Set.of("Push Hook", "Tag Push Hook");

  /** A GitLab system hook carries every kind of event; the payload says which. */
  private static final String GITLAB_SYSTEM_HOOK = "System Hook";

  private static final Set<String> GITLAB_SYSTEM_PUSHES = Set.of("push", "tag_push");

  /** Bitbucket Cloud and Bitbucket Data Center name a push differently. */
  private static final Set<String> BITBUCKET_PUSHES = Set.of("repo:push", "repo:refs_changed");

  static EventType of(Map<String, String> headers, JsonObject body) {
    String github = header(headers, WebhookHeaders.GITHUB_EVENT);
    if (github != null) {
      return new EventType(Providers.GITHUB, github, github.equals("push"));
    }
    String gitlab = header(headers, WebhookHeaders.GITLAB_EVENT);
    if (gitlab != null) {
      String systemEvent = PayloadFields.string(body, "event_name");
      boolean push =
          GITLAB_PUSHES.contains(gitlab)
              || gitlab.equals(GITLAB_SYSTEM_HOOK)
                  && systemEvent != null
                  && GITLAB_SYSTEM_PUSHES.contains(systemEvent);
      return new EventType(Providers.GITLAB, gitlab, push);
    }
    String bitbucket = header(headers, WebhookHeaders.BITBUCKET_EVENT);
    if (bitbucket != null) {
      return new EventType(Providers.BITBUCKET, bitbucket, BITBUCKET_PUSHES.contains(bitbucket));
    }
    String azure = PayloadFields.string(body, "eventType");
    if (azure != null && PayloadFields.object(body, "resource") != null) {
      return new EventType(Providers.AZURE, azure, azure.equals("git.push"));
    }
    // Nothing says what this is; guessing "push" from the payload's shape would let any
    // stray POST trigger fetches, so an unknown sender is never a push.
    return new EventType(Providers.UNKNOWN, "", false);
  }

  private static String header(Map<String, String> headers, String name) {
    String value = headers.get(name);
    return value == null || value.isBlank() ? null : value.strip();
  }
}
