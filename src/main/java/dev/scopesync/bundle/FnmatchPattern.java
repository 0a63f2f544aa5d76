package dev.scopesync.bundle;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One shell-style pattern matched like Python's {@code fnmatch.fnmatchcase}: {@code *} any run,
 * {@code ?} one character, {@code [seq]} / {@code [!seq]} sets with ranges, everything else
 * literal, case-sensitive. Used on single path parts by {@link IgnoreGlobs}.
 *
 * <p>The set syntax follows {@code fnmatch.translate} step by step (which {@code -} makes a range,
 * which is literal, which ranges are dropped as empty), then re-reads the result the way Python's
 * regex parser would. Every character reaches the Java regex as an {@code \x{..}} escape, so no
 * Java-only syntax ({@code &&}, nested {@code [}) can change the meaning. Immutable.
 */
final class FnmatchPattern {

  private static final int RANGE = -1;

  private final Pattern regex;

  private FnmatchPattern(Pattern regex) {
    this.regex = regex;
  }

  static FnmatchPattern compile(String pattern) {
    return new FnmatchPattern(Pattern.compile(translate(pattern), Pattern.DOTALL));
  }

  boolean matches(String text) {
    return regex.matcher(text).matches();
  }

  private static String translate(String pattern) {
    int[] pat = pattern.codePoints().toArray();
    int n = pat.length;
    StringBuilder out = new StringBuilder();
    boolean lastWasStar = false;
    int i = 0;
    while (i < n) {
      int c = pat[i++];
      if (c == '*') {
        if (!lastWasStar) {
          out.append(".*");
        }
        lastWasStar = true;
        continue;
      }
      lastWasStar = false;
      if (c == '?') {
        out.append('.');
      } else if (c == '[') {
        int j = closingBracket(pat, i);
        if (j < 0) {
          out.append(literal('['));
        } else {
          out.append(characterSet(pat, i, j));
          i = j + 1;
        }
      } else {
        out.append(literal(c));
      }
    }
    return out.toString();
  }

  /**
   * Index of the {@code ]} closing a set that opens before {@code start}, or -1 (then {@code [} is
   * literal).
   */
  private static int closingBracket(int[] pat, int start) {
    int j = start;
    if (j < pat.length && pat[j] == '!') {
      j++;
    }
    if (j < pat.length && pat[j] == ']') {
      j++;
    }
    while (j < pat.length && pat[j] != ']') {
      j++;
    }
    return j < pat.length ? j : -1;
  }

  /** The regex for {@code pat[start..end)}, the inside of a set. */
  private static String characterSet(int[] pat, int start, int end) {
    List<int[]> chunks = rangeChunks(pat, start, end);
    // Tokens as Python's regex parser sees the joined set: characters, and RANGE for each
    // unescaped '-' fnmatch put between chunks.
    List<Integer> tokens = new ArrayList<>();
    for (int k = 0; k < chunks.size(); k++) {
      if (k > 0) {
        tokens.add(RANGE);
      }
      for (int cp : chunks.get(k)) {
        tokens.add(cp);
      }
    }
    if (tokens.isEmpty()) {
      return "(?!)"; // fnmatch: an empty range never matches
    }
    boolean negated = tokens.get(0) == '!';
    if (negated) {
      tokens.remove(0);
      if (tokens.isEmpty()) {
        return "."; // fnmatch: a negated empty range matches any character
      }
    }
    StringBuilder set = new StringBuilder(negated ? "[^" : "[");
    int t = 0;
    while (t < tokens.size()) {
      int first = literalValue(tokens.get(t++));
      if (t < tokens.size() && tokens.get(t) == RANGE && t + 1 < tokens.size()) {
        int last = literalValue(tokens.get(t + 1));
        t += 2;
        if (last < first) {
          return "(?!)"; // Python would refuse to compile it; we let it match nothing
        }
        set.append(literal(first)).append('-').append(literal(last));
      } else {
        set.append(literal(first));
      }
    }
    return set.append(']').toString();
  }

  /**
   * fnmatch's split of a set into chunks at the hyphens that make ranges, with empty ranges ({@code
   * z-a}) removed; a hyphen first in the set (after {@code !}) or last is literal.
   */
  private static List<int[]> rangeChunks(int[] pat, int start, int end) {
    List<int[]> chunks = new ArrayList<>();
    int chunkStart = start;
    int k = pat[start] == '!' ? start + 2 : start + 1;
    while (true) {
      int hyphen = indexOf(pat, '-', k, end);
      if (hyphen < 0) {
        break;
      }
      chunks.add(slice(pat, chunkStart, hyphen));
      chunkStart = hyphen + 1;
      k = hyphen + 3;
    }
    int[] rest = slice(pat, chunkStart, end);
    if (rest.length > 0) {
      chunks.add(rest);
    } else {
      chunks.set(chunks.size() - 1, append(chunks.get(chunks.size() - 1), '-'));
    }
    for (int c = chunks.size() - 1; c > 0; c--) {
      int[] before = chunks.get(c - 1);
      int[] after = chunks.get(c);
      if (before.length > 0 && after.length > 0 && before[before.length - 1] > after[0]) {
        int[] merged = new int[before.length - 1 + after.length - 1];
        System.arraycopy(before, 0, merged, 0, before.length - 1);
        System.arraycopy(after, 1, merged, before.length - 1, after.length - 1);
        chunks.set(c - 1, merged);
        chunks.remove(c);
      }
    }
    return chunks;
  }

  private static int literalValue(int token) {
    return token == RANGE ? '-' : token;
  }

  private static String literal(int codePoint) {
    return "\\x{" + Integer.toHexString(codePoint) + "}";
  }

  private static int indexOf(int[] pat, int value, int from, int to) {
    for (int x = Math.max(from, 0); x < to; x++) {
      if (pat[x] == value) {
        return x;
      }
    }
    return -1;
  }

  private static int[] slice(int[] pat, int from, int to) {
    int[] part = new int[Math.max(to - from, 0)];
    System.arraycopy(pat, from, part, 0, part.length);
    return part;
  }

  private static int[] append(int[] chunk, int codePoint) {
    int[] longer = new int[chunk.length + 1];
    System.arraycopy(chunk, 0, longer, 0, chunk.length);
    longer[chunk.length] = codePoint;
    return longer;
  }
}
