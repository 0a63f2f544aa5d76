package dev.scopesync.bundle;

/**
 * The {@code package_name} OPAL reports for a rego module: the name from the first line that
 * matches {@code ^package\s+([a-zA-Z0-9\."\[\]]+)$}, or {@code ""}.
 *
 * <p>The pattern is OPAL's, quirks included: a name with {@code _} or a trailing comment does not
 * match, so such modules get {@code ""} — kept on purpose, clients compare these names.
 */
final class RegoPackageName {

  private static final String KEYWORD = "package";

  private RegoPackageName() {}

  /** The package name of a rego module's text, or {@code ""} when no line declares one. */
  static String of(String rego) {
    for (String line : PythonText.splitLines(rego)) {
      String name = declaredIn(line);
      if (name != null) {
        return name;
      }
    }
    return "";
  }

  /**
   * Matches one line against OPAL's pattern. Written out rather than as a regex because Java's
   * {@code \s} is not Python's (Python counts U+001F, NBSP and the other Unicode spaces).
   * Whitespace and name characters are disjoint, so one greedy pass decides like the regex.
   */
  private static String declaredIn(String line) {
    if (!line.startsWith(KEYWORD)) {
      return null;
    }
    int i = KEYWORD.length();
    int nameStart = i;
    while (nameStart < line.length() && PythonText.isWhitespace(line.codePointAt(nameStart))) {
      nameStart += Character.charCount(line.codePointAt(nameStart));
    }
    if (nameStart == i || nameStart == line.length()) {
      return null;
    }
    for (int j = nameStart; j < line.length(); j++) {
      if (!isNameCharacter(line.charAt(j))) {
        return null;
      }
    }
    return line.substring(nameStart);
  }

  private static boolean isNameCharacter(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '"'
        || c == '['
        || c == ']';
  }
}
