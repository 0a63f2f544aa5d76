package dev.scopesync.http;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code If-None-Match} (RFC 9110 §13.1.2): the entity tags a client holds, compared weakly ({@code
 * W/} ignored), {@code *} matching any.
 */
final class EntityTags {
  private EntityTags() {}

  /** The tags of every {@code If-None-Match} header, {@code W/} dropped, in order. */
  static List<String> parse(List<String> headers) {
    List<String> tags = new ArrayList<>();
    for (String header : headers) {
      for (String part : header.split(",")) {
        String tag = weakless(part.trim());
        if (!tag.isEmpty()) {
          tags.add(tag);
        }
      }
    }
    return tags;
  }

  /**
   * Whether the headers name {@code etag} (or {@code *}); scans without splitting (every cached
   * request asks).
   */
  static boolean matches(List<String> headers, String etag) {
    for (int h = 0; h < headers.size(); h++) {
      String header = headers.get(h);
      int from = 0;
      while (from <= header.length()) {
        int comma = header.indexOf(',', from);
        int end = comma < 0 ? header.length() : comma;
        int start = from;
        while (start < end && blank(header.charAt(start))) {
          start++;
        }
        int stop = end;
        while (stop > start && blank(header.charAt(stop - 1))) {
          stop--;
        }
        if (stop - start >= 2 && header.startsWith("W/", start)) {
          start += 2;
        }
        int length = stop - start;
        if (length == 1 && header.charAt(start) == '*'
            || length == etag.length() && header.regionMatches(start, etag, 0, length)) {
          return true;
        }
        if (comma < 0) {
          break;
        }
        from = comma + 1;
      }
    }
    return false;
  }

  /**
   * What {@link String#trim} drops, so that {@link #parse} and {@link #matches} read a header
   * alike.
   */
  private static boolean blank(char c) {
    return c <= ' ';
  }

  private static String weakless(String tag) {
    return tag.startsWith("W/") ? tag.substring(2) : tag;
  }
}
