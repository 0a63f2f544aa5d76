package dev.scopesync.signing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Writes a JSON string exactly as Go's {@code encoding/json} encoder does with HTML escaping off
 * ({@code Encoder.SetEscapeHTML(false)}, Go 1.22 or later), which is how OPA encodes every string
 * and object key it hashes ({@code encodePrimitive} in OPA's {@code v1/bundle/hash.go}).
 *
 * <p>Escaped: {@code "} and {@code \} with a backslash; {@code \b \f \n \r \t} as their short
 * escapes; every other byte below 0x20 as <code>&#92;u00xx</code> with lower-case hex; U+2028 and
 * U+2029 as <code>&#92;u2028</code> and <code>&#92;u2029</code> (Go escapes them even with HTML
 * escaping off). Everything else is written raw: {@code < > & /}, DEL and all other non-ASCII
 * characters as their UTF-8 bytes.
 *
 * <p>Stateless; safe for use by any number of threads.
 */
final class GoJsonText {

  private static final HexFormat HEX = HexFormat.of();

  private GoJsonText() {}

  /** Writes {@code "text"}, escaped as above. */
  static void writeString(ByteArrayOutputStream out, String text) {
    writeString(out, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Writes {@code "utf8"}, escaped as above. {@code utf8} must be well-formed UTF-8 (the parser of
   * {@link OpaJsonHash} guarantees that, as Go's decoder does, by replacing every bad byte with
   * U+FFFD before anything is encoded).
   */
  static void writeString(ByteArrayOutputStream out, byte[] utf8) {
    out.write('"');
    int i = 0;
    while (i < utf8.length) {
      int b = utf8[i] & 0xff;
      if (b >= 0x20 && b != '"' && b != '\\') {
        // U+2028 and U+2029 are E2 80 A8 and E2 80 A9: line terminators in JavaScript.
        if (b == 0xe2
            && i + 2 < utf8.length
            && (utf8[i + 1] & 0xff) == 0x80
            && ((utf8[i + 2] & 0xff) == 0xa8 || (utf8[i + 2] & 0xff) == 0xa9)) {
          out.write('\\');
          out.write('u');
          out.write('2');
          out.write('0');
          out.write('2');
          out.write((utf8[i + 2] & 0xff) == 0xa8 ? '8' : '9');
          i += 3;
          continue;
        }
        out.write(b);
        i++;
        continue;
      }
      out.write('\\');
      switch (b) {
        case '"', '\\' -> out.write(b);
        case '\b' -> out.write('b');
        case '\f' -> out.write('f');
        case '\n' -> out.write('n');
        case '\r' -> out.write('r');
        case '\t' -> out.write('t');
        default -> {
          out.write('u');
          out.write('0');
          out.write('0');
          out.write(HEX.toHighHexDigit(b));
          out.write(HEX.toLowHexDigit(b));
        }
      }
      i++;
    }
    out.write('"');
  }
}
