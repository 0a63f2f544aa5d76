package dev.scopesync.signing;

import java.io.ByteArrayOutputStream;

/**
 * Decodes the body of a JSON string literal as Go's {@code encoding/json} does: escapes resolved;
 * every byte that is not part of well-formed UTF-8 becomes U+FFFD, and so does every {@code
 * \}{@code u} escape of a surrogate that is not a high surrogate immediately followed by an escaped
 * low one; a control character is an error. The result is well-formed UTF-8, as {@link GoJsonText}
 * needs.
 *
 * <p>Stateless; safe for use by any number of threads (each call works on its own cursor).
 */
final class GoJsonStringDecoder {

  private GoJsonStringDecoder() {}

  /**
   * The decoded UTF-8 bytes of a string whose opening quote has been read; leaves {@code cursor}
   * after the closing quote.
   *
   * @throws IllegalArgumentException from {@link JsonCursor#error}, saying where
   */
  static byte[] read(JsonCursor cursor) {
    byte[] in = cursor.in;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (true) {
      if (cursor.pos >= in.length) {
        throw cursor.error("unterminated string");
      }
      int b = in[cursor.pos] & 0xff;
      if (b == '"') {
        cursor.pos++;
        return out.toByteArray();
      }
      if (b == '\\') {
        cursor.pos++;
        escape(cursor, out);
      } else if (b < 0x20) {
        throw cursor.error("control character in string");
      } else if (b < 0x80) {
        out.write(b);
        cursor.pos++;
      } else {
        int length = GoUtf8.wellFormedLength(in, cursor.pos);
        if (length == 0) {
          // Go's utf8.DecodeRune: each byte that starts no valid sequence is one U+FFFD.
          out.writeBytes(GoUtf8.REPLACEMENT);
          cursor.pos++;
        } else {
          out.write(in, cursor.pos, length);
          cursor.pos += length;
        }
      }
    }
  }

  private static void escape(JsonCursor cursor, ByteArrayOutputStream out) {
    byte[] in = cursor.in;
    int c = cursor.next("an escape");
    switch (c) {
      case '"', '\\', '/' -> out.write(c);
      case 'b' -> out.write('\b');
      case 'f' -> out.write('\f');
      case 'n' -> out.write('\n');
      case 'r' -> out.write('\r');
      case 't' -> out.write('\t');
      case 'u' -> {
        int unit = hex4(in, cursor.pos);
        if (unit < 0) {
          throw cursor.error("bad \\u escape");
        }
        cursor.pos += 4;
        int pos = cursor.pos;
        int codePoint = unit;
        if (unit >= 0xd800 && unit < 0xe000) {
          // Go: a surrogate is kept only as the high half of an escaped pair.
          int low =
              pos + 1 < in.length && in[pos] == '\\' && in[pos + 1] == 'u' ? hex4(in, pos + 2) : -1;
          if (unit < 0xdc00 && low >= 0xdc00 && low < 0xe000) {
            codePoint = Character.toCodePoint((char) unit, (char) low);
            cursor.pos += 6;
          } else {
            codePoint = 0xfffd;
          }
        }
        GoUtf8.write(out, codePoint);
      }
      default -> {
        cursor.pos--;
        throw cursor.error("bad escape");
      }
    }
  }

  /** The four hex digits at {@code at} as a number, or -1 when they are not four hex digits. */
  private static int hex4(byte[] in, int at) {
    if (at + 4 > in.length) {
      return -1;
    }
    int value = 0;
    for (int i = at; i < at + 4; i++) {
      int digit = Character.digit(in[i], 16);
      if (digit < 0 || in[i] < 0) {
        return -1;
      }
      value = value << 4 | digit;
    }
    return value;
  }
}
