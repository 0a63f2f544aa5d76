package dev.scopesync.signing;

import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * A JSON document read as Go's {@code encoding/json} reads it and written in the structural
 * encoding OPA hashes ({@link OpaJsonHash}).
 *
 * <p>What OPA does ({@code VerifyBundleFile} in {@code v1/bundle/verify.go}, {@code walk} and
 * {@code encodePrimitive} in {@code v1/bundle/hash.go}, {@code Unmarshal} in {@code
 * v1/util/json.go}) and this class repeats:
 *
 * <ul>
 *   <li>a leading UTF-8 byte order mark is dropped; the rest must be exactly one JSON value with
 *       only whitespace around it ({@code json.Valid});
 *   <li>parsing as Go's {@code encoding/json} with {@code UseNumber}: a number keeps its source
 *       text ({@code 1.0}, {@code 1e3}, {@code -0} and {@code 1E+3} stay as written, never rounded
 *       through a double); a duplicate key's last value wins; in strings every byte that is not
 *       part of well-formed UTF-8 becomes U+FFFD, and so does every {@code \}{@code u} escape of a
 *       surrogate that is not a high surrogate immediately followed by an escaped low one; nesting
 *       deeper than 10,000 is an error;
 *   <li>encoding: an object is {@code {} + its members sorted by the UTF-8 bytes of their keys
 *       (Go's string order, not Java's UTF-16 {@code compareTo}), each {@code "key":value}, joined
 *       by {@code ,} + {@code }}; an array is {@code [} + its values joined by {@code ,} + {@code
 *       ]}; strings as {@link GoJsonText} writes them; numbers as their source text; {@code true},
 *       {@code false}, {@code null}.
 * </ul>
 *
 * <p>Stateless; safe for use by any number of threads. The parser is iterative, so deep nesting
 * costs heap, not stack.
 */
final class CanonicalJson {

  /** Go's {@code encoding/json} scanner refuses deeper nesting ({@code maxNestingDepth}). */
  static final int MAX_DEPTH = 10_000;

  private static final byte[] REPLACEMENT = {(byte) 0xef, (byte) 0xbf, (byte) 0xbd};

  private CanonicalJson() {}

  /**
   * The canonical encoding of the one JSON value in {@code json} from {@code start}.
   *
   * @throws IllegalArgumentException if it is not exactly one JSON value; the message says where
   */
  static byte[] of(byte[] json, int start) {
    return new Parser(json, start).document();
  }

  /** An object or array being parsed: its members so far, already encoded. */
  private static final class Container {
    final boolean object;

    /** Object members by key bytes; a repeated key replaces the earlier value, as in Go's map. */
    final TreeMap<byte[], byte[]> members;

    final ByteArrayOutputStream elements;
    int count;
    byte[] pendingKey;

    Container(boolean object) {
      this.object = object;
      this.members = object ? new TreeMap<>(Arrays::compareUnsigned) : null;
      this.elements = object ? null : new ByteArrayOutputStream();
      if (!object) {
        elements.write('[');
      }
    }

    void add(byte[] value) {
      if (object) {
        members.put(pendingKey, value);
        pendingKey = null;
      } else {
        if (count > 0) {
          elements.write(',');
        }
        elements.writeBytes(value);
      }
      count++;
    }

    byte[] encode() {
      if (!object) {
        elements.write(']');
        return elements.toByteArray();
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.write('{');
      boolean first = true;
      for (Map.Entry<byte[], byte[]> member : members.entrySet()) {
        if (!first) {
          out.write(',');
        }
        first = false;
        GoJsonText.writeString(out, member.getKey());
        out.write(':');
        out.writeBytes(member.getValue());
      }
      out.write('}');
      return out.toByteArray();
    }
  }

  /**
   * A strict RFC 8259 parser with Go's string decoding, which writes each scalar in its canonical
   * form as soon as it is read and each container when it closes.
   */
  private static final class Parser {
    private final byte[] in;
    private int pos;
    private final ArrayDeque<Container> open = new ArrayDeque<>();

    Parser(byte[] in, int start) {
      this.in = in;
      this.pos = start;
    }

    byte[] document() {
      while (true) {
        byte[] value = valueOrOpen();
        // value is null when a container was opened and still wants its first member.
        while (value != null) {
          Container top = open.peek();
          if (top == null) {
            skipWhitespace();
            if (pos != in.length) {
              throw error("data after the top-level value");
            }
            return value;
          }
          top.add(value);
          skipWhitespace();
          int c = next("',' or the end of the " + (top.object ? "object" : "array"));
          if (c == ',') {
            if (top.object) {
              top.pendingKey = keyAndColon();
            }
            value = null;
          } else if (c == (top.object ? '}' : ']')) {
            open.pop();
            value = top.encode();
          } else {
            pos--;
            throw error("expected ',' or the end of the " + (top.object ? "object" : "array"));
          }
        }
      }
    }

    /** A complete scalar or empty container, or null after opening a container with members. */
    private byte[] valueOrOpen() {
      skipWhitespace();
      int c = next("a value");
      switch (c) {
        case '{' -> {
          push(true);
          skipWhitespace();
          if (peek() == '}') {
            pos++;
            return open.pop().encode();
          }
          open.peek().pendingKey = keyAndColon();
          return null;
        }
        case '[' -> {
          push(false);
          skipWhitespace();
          if (peek() == ']') {
            pos++;
            return open.pop().encode();
          }
          return null;
        }
        case '"' -> {
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          GoJsonText.writeString(out, stringBody());
          return out.toByteArray();
        }
        case 't' -> {
          return literal("true");
        }
        case 'f' -> {
          return literal("false");
        }
        case 'n' -> {
          return literal("null");
        }
        default -> {
          if (c == '-' || (c >= '0' && c <= '9')) {
            pos--;
            return number();
          }
          pos--;
          throw error("expected a value");
        }
      }
    }

    private void push(boolean object) {
      if (open.size() >= MAX_DEPTH) {
        throw error("nesting deeper than " + MAX_DEPTH);
      }
      open.push(new Container(object));
    }

    private byte[] keyAndColon() {
      skipWhitespace();
      if (next("an object key") != '"') {
        pos--;
        throw error("expected an object key");
      }
      byte[] key = stringBody();
      skipWhitespace();
      if (next("':'") != ':') {
        pos--;
        throw error("expected ':'");
      }
      return key;
    }

    private byte[] literal(String word) {
      int start = pos - 1;
      for (int i = 1; i < word.length(); i++) {
        if (pos >= in.length || in[pos] != word.charAt(i)) {
          pos = start;
          throw error("expected a value");
        }
        pos++;
      }
      return Arrays.copyOfRange(in, start, pos);
    }

    /** JSON number grammar; the source text is the canonical form (Go's json.Number). */
    private byte[] number() {
      int start = pos;
      if (peek() == '-') {
        pos++;
      }
      int c = peek();
      if (c == '0') {
        pos++;
      } else if (c >= '1' && c <= '9') {
        digits();
      } else {
        throw error("expected a digit");
      }
      if (peek() == '.') {
        pos++;
        requireDigits();
      }
      if (peek() == 'e' || peek() == 'E') {
        pos++;
        if (peek() == '+' || peek() == '-') {
          pos++;
        }
        requireDigits();
      }
      return Arrays.copyOfRange(in, start, pos);
    }

    private void requireDigits() {
      int c = peek();
      if (c < '0' || c > '9') {
        throw error("expected a digit");
      }
      digits();
    }

    private void digits() {
      while (pos < in.length && in[pos] >= '0' && in[pos] <= '9') {
        pos++;
      }
    }

    /** The decoded UTF-8 bytes of a string whose opening quote has been read. */
    private byte[] stringBody() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      while (true) {
        if (pos >= in.length) {
          throw error("unterminated string");
        }
        int b = in[pos] & 0xff;
        if (b == '"') {
          pos++;
          return out.toByteArray();
        }
        if (b == '\\') {
          pos++;
          escape(out);
        } else if (b < 0x20) {
          throw error("control character in string");
        } else if (b < 0x80) {
          out.write(b);
          pos++;
        } else {
          int length = wellFormedLength(in, pos);
          if (length == 0) {
            // Go's utf8.DecodeRune: each byte that starts no valid sequence is one U+FFFD.
            out.writeBytes(REPLACEMENT);
            pos++;
          } else {
            out.write(in, pos, length);
            pos += length;
          }
        }
      }
    }

    private void escape(ByteArrayOutputStream out) {
      int c = next("an escape");
      switch (c) {
        case '"', '\\', '/' -> out.write(c);
        case 'b' -> out.write('\b');
        case 'f' -> out.write('\f');
        case 'n' -> out.write('\n');
        case 'r' -> out.write('\r');
        case 't' -> out.write('\t');
        case 'u' -> {
          int unit = hex4(pos);
          if (unit < 0) {
            throw error("bad \\u escape");
          }
          pos += 4;
          int codePoint = unit;
          if (unit >= 0xd800 && unit < 0xe000) {
            // Go: a surrogate is kept only as the high half of an escaped pair.
            int low =
                pos + 1 < in.length && in[pos] == '\\' && in[pos + 1] == 'u' ? hex4(pos + 2) : -1;
            if (unit < 0xdc00 && low >= 0xdc00 && low < 0xe000) {
              codePoint = Character.toCodePoint((char) unit, (char) low);
              pos += 6;
            } else {
              codePoint = 0xfffd;
            }
          }
          writeUtf8(out, codePoint);
        }
        default -> {
          pos--;
          throw error("bad escape");
        }
      }
    }

    private int hex4(int at) {
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

    private void skipWhitespace() {
      while (pos < in.length
          && (in[pos] == ' ' || in[pos] == '\t' || in[pos] == '\n' || in[pos] == '\r')) {
        pos++;
      }
    }

    private int peek() {
      return pos < in.length ? in[pos] & 0xff : -1;
    }

    private int next(String expected) {
      if (pos >= in.length) {
        throw error("unexpected end of input, expected " + expected);
      }
      return in[pos++] & 0xff;
    }

    private IllegalArgumentException error(String what) {
      return new IllegalArgumentException("not JSON at byte " + pos + ": " + what);
    }
  }

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

  private static void writeUtf8(ByteArrayOutputStream out, int codePoint) {
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
