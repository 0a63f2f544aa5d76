package dev.scopesync.webhook;

/** Branch names from the ref strings webhooks carry. */
final class RefNames {
  private static final String HEADS = "refs/heads/";

  private RefNames() {}

  /**
   * The branch a ref names: {@code refs/heads/x} is {@code x}; any other {@code refs/…} (tags, pull
   * requests, notes) names no branch (null). A bare name is taken as a branch, as OPAL does,
   * because some senders put the short name in {@code ref}.
   */
  static String branchOf(String ref) {
    if (ref == null) {
      return null;
    }
    if (ref.startsWith(HEADS)) {
      String name = ref.substring(HEADS.length());
      return name.isEmpty() ? null : name;
    }
    return ref.startsWith("refs/") ? null : ref;
  }
}
