package dev.scopesync.signing;

import java.io.ByteArrayOutputStream;

/**
 * UTF-8 as Go's {@code unicode/utf8} sees it: which byte sequences are well formed ({@code
 * utf8.DecodeRune}: no overlong forms, no surrogates, nothing above U+10FFFF), the replacement
 * character's bytes, and a code point written as UTF-8.
 *
 * <p>Stateless; safe for use by any number of threads.
 */
final class GoUtf8 {
  /** U+FFFD in UTF-8: what Go's decoder puts for each byte that starts no valid sequence. */
  static final byte[] REPLACEMENT = {(byte) 0xef, (byte) 0xbf, (byte) 0xbd};

  private GoUtf8() {}

  /** Length of the well-formed UTF-8 sequence at {@code at} (Go's utf8.DecodeRune rules), or 0. */
  static int wellFormedLength(byte[] in, int at) {
    int b0 = in[at] & 0xff;
    int length;
    int low = 0x80;
    int high = 0xbf;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
      length = 2;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      length = 3;
      if (b0 == 0xe0) {
        low = 0xa0; // no overlong forms
      } else if (b0 == 0xed) {
        high = 0x9f; // no surrogates
      }
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      length = 4;
      if (b0 == 0xf0) {
        low = 0x90; // no overlong forms
      } else if (b0 == 0xf4) {
        high = 0x8f; // nothing above U+10FFFF
      }
    } else {
      return 0;
    }
    if (at + length > in.length) {
      return 0;
    }
    int b1 = in[at + 1] & 0xff;
    if (b1 < low || b1 > high) {
      return 0;
    }
    for (int i = at + 2; i < at + length; i++) {
      int b = in[i] & 0xff;
      if (b < 0x80 || b > 0xbf) {
        return 0;
      }
    }
    return length;
  }

  /** Writes {@code codePoint} (below U+110000, not a surrogate) as its UTF-8 bytes. */
  static void write(ByteArrayOutputStream out, int codePoint) {
    if (codePoint < 0x80) {
      out.write(codePoint);
    } else if (codePoint < 0x800) {
      out.write(0xc0 | codePoint >> 6);
      out.write(0x80 | codePoint & 0x3f);
    } else if (codePoint < 0x10000) {
      out.write(0xe0 | codePoint >> 12);
      out.write(0x80 | codePoint >> 6 & 0x3f);
      out.write(0x80 | codePoint & 0x3f);
    } else {
      out.write(0xf0 | codePoint >> 18);
      out.write(0x80 | codePoint >> 12 & 0x3f);
      out.write(0x80 | codePoint >> 6 & 0x3f);
      out.write(0x80 | codePoint & 0x3f);
    }
  }
}
