package dev.scopesync.validation;

/**
 * What a commit hash given in a request may look like ({@code base_hash}, {@code hinted_hash}): 4
 * to 64 hex digits, an abbreviation or a whole SHA-1 or SHA-256 name. One rule for every route and
 * address; checked without a pattern, since the edge checks it on cached requests.
 */
public final class CommitHash {
  public static final int MIN_LENGTH = 4;
  public static final int MAX_LENGTH = 64;

  /** How a refusal says it. */
  public static final String RULE = "must be a commit hash (4 to 64 hex digits)";

  private CommitHash() {}

  public static boolean valid(String text) {
    if (text == null || text.length() < MIN_LENGTH || text.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      if (Character.digit(text.charAt(i), 16) < 0) {
        return false;
      }
    }
    return true;
  }
}
