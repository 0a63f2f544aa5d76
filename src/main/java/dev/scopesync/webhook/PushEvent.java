package dev.scopesync.webhook;

import java.util.List;
import java.util.Objects;

/**
 * What a push webhook said.
 *
 * @param provider one of {@link Providers}
 * @param isPush whether the event reports new commits on refs; a tag push is a push whose {@code
 *     branches} may be empty; a ping, an issue or a merge request is not
 * @param eventName the sender's own name for the event: {@code push}, {@code ping}, {@code Push
 *     Hook}, {@code git.push}, {@code repo:push}; empty when unknown
 * @param repositoryUrls every address of the repository the payload gave, in payload order, without
 *     duplicates
 * @param fullNames {@code owner/name} style names of the repository
 * @param branches pushed branch names without {@code refs/heads/}, deleted branches included (a
 *     deletion concerns that branch too), in payload order, without duplicates
 */
public record PushEvent(
    String provider,
    boolean isPush,
    String eventName,
    List<String> repositoryUrls,
    List<String> fullNames,
    List<String> branches) {

  public PushEvent {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(eventName, "eventName");
    repositoryUrls = List.copyOf(repositoryUrls);
    fullNames = List.copyOf(fullNames);
    branches = List.copyOf(branches);
  }

  /**
   * True when this event pushed (or deleted) {@code branch}; git branch names are case-sensitive.
   */
  public boolean concernsBranch(String branch) {
    return branch != null && branches.contains(branch);
  }
}
