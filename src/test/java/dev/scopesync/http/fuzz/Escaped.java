package dev.scopesync.http.fuzz;

import java.nio.charset.StandardCharsets;

/**
 * Raw bytes as one readable, exact line for a failure message: printable ASCII as is, CR, LF, tab
 * and backslash as {@code \r \n \t \\}, any other byte as {@code \xNN}. Long runs are folded so a
 * 20 KB header stays readable without losing exactness: a byte repeated 16 times or more is written
 * {@code \{a*20000}}, a line repeated 4 times or more {@code \{<line>*N}} (the line escaped the
 * same way, its line ending included).
 */
public final class Escaped {
  private Escaped() {}

  public static String of(byte[] bytes) {
    return of(bytes, 0, bytes.length);
  }

  public static String of(byte[] bytes, int from, int to) {
    StringBuilder out = new StringBuilder();
    int i = from;
    while (i < to) {
      // A run of identical lines (a header flood): each line ends with LF.
      int lineEnd = indexOf(bytes, (byte) '\n', i, to);
      if (lineEnd >= 0 && lineEnd - i < 200) {
        int length = lineEnd + 1 - i;
        int repeats = 1;
        while (i + (repeats + 1) * length <= to && same(bytes, i, i + repeats * length, length)) {
          repeats++;
        }
        if (repeats >= 4) {
          out.append("\\{");
          plain(out, bytes, i, i + length);
          out.append('*').append(repeats).append('}');
          i += repeats * length;
          continue;
        }
      }
      int run = 1;
      while (i + run < to && bytes[i + run] == bytes[i]) {
        run++;
      }
      if (run >= 16) {
        out.append("\\{");
        plain(out, bytes, i, i + 1);
        out.append('*').append(run).append('}');
        i += run;
        continue;
      }
      plain(out, bytes, i, i + 1);
      i++;
    }
    return out.toString();
  }

  /** The first {@code max} bytes escaped, and how many more there were. */
  public static String head(byte[] bytes, int max) {
    if (bytes.length <= max) {
      return of(bytes);
    }
    return of(bytes, 0, max) + "…(+" + (bytes.length - max) + " bytes)";
  }

  public static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  private static void plain(StringBuilder out, byte[] bytes, int from, int to) {
    for (int i = from; i < to; i++) {
      int b = bytes[i] & 0xff;
      switch (b) {
        case '\r' -> out.append("\\r");
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        case '\\' -> out.append("\\\\");
        default -> {
          if (b >= 0x20 && b < 0x7f) {
            out.append((char) b);
          } else {
            out.append(String.format("\\x%02x", b));
          }
        }
      }
    }
  }

  private static int indexOf(byte[] bytes, byte b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }

  private static boolean same(byte[] bytes, int a, int b, int length) {
    for (int k = 0; k < length; k++) {
      if (bytes[a + k] != bytes[b + k]) {
        return false;
      }
    }
    return true;
  }
}
