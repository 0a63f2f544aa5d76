package dev.scopesync.signing;

import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;

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
 * <p>This class walks the structure; the parts it stands on are {@link JsonCursor} (the position
 * and its errors), {@link GoJsonStringDecoder} (string literals, with {@link GoUtf8}), {@link
 * CanonicalContainer} (an object's sorted members, an array's values) and {@link GoJsonText}
 * (strings written back).
 *
 * <p>Stateless; safe for use by any number of threads. The parser is iterative, so deep nesting
 * costs heap, not stack.
 */
final class CanonicalJson {

  /** Go's {@code encoding/json} scanner refuses deeper nesting ({@code maxNestingDepth}). */
  static final int MAX_DEPTH = 10_000;

  private CanonicalJson() {}

  /**
   * The canonical encoding of the one JSON value in {@code json} from {@code start}.
   *
   * @throws IllegalArgumentException if it is not exactly one JSON value; the message says where
   */
  static byte[] of(byte[] json, int start) {
    return new Parser(json, start).document();
  }

  /**
   * A strict RFC 8259 parser with Go's string decoding, which writes each scalar in its canonical
   * form as soon as it is read and each container when it closes.
   */
  private static final class Parser {
    private final JsonCursor cursor;
    private final ArrayDeque<CanonicalContainer> open = new ArrayDeque<>();

    Parser(byte[] in, int start) {
      this.cursor = new JsonCursor(in, start);
    }

    byte[] document() {
      while (true) {
        byte[] value = valueOrOpen();
        // value is null when a container was opened and still wants its first member.
        while (value != null) {
          CanonicalContainer top = open.peek();
          if (top == null) {
            cursor.skipWhitespace();
            if (cursor.pos != cursor.in.length) {
              throw cursor.error("data after the top-level value");
            }
            return value;
          }
          top.add(value);
          cursor.skipWhitespace();
          int c = cursor.next("',' or the end of the " + (top.object ? "object" : "array"));
          if (c == ',') {
            if (top.object) {
              top.pendingKey = keyAndColon();
            }
            value = null;
          } else if (c == (top.object ? '}' : ']')) {
            open.pop();
            value = top.encode();
          } else {
            cursor.pos--;
            throw cursor.error(
                "expected ',' or the end of the " + (top.object ? "object" : "array"));
          }
        }
      }
    }

    /** A complete scalar or empty container, or null after opening a container with members. */
    private byte[] valueOrOpen() {
      cursor.skipWhitespace();
      int c = cursor.next("a value");
      switch (c) {
        case '{' -> {
          push(true);
          cursor.skipWhitespace();
          if (cursor.peek() == '}') {
            cursor.pos++;
            return open.pop().encode();
          }
          open.peek().pendingKey = keyAndColon();
          return null;
        }
        case '[' -> {
          push(false);
          cursor.skipWhitespace();
          if (cursor.peek() == ']') {
            cursor.pos++;
            return open.pop().encode();
          }
          return null;
        }
        case '"' -> {
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          GoJsonText.writeString(out, GoJsonStringDecoder.read(cursor));
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
            cursor.pos--;
            return number();
          }
          cursor.pos--;
          throw cursor.error("expected a value");
        }
      }
    }

    private void push(boolean object) {
      if (open.size() >= MAX_DEPTH) {
        throw cursor.error("nesting deeper than " + MAX_DEPTH);
      }
      open.push(new CanonicalContainer(object));
    }

    private byte[] keyAndColon() {
      cursor.skipWhitespace();
      if (cursor.next("an object key") != '"') {
        cursor.pos--;
        throw cursor.error("expected an object key");
      }
      byte[] key = GoJsonStringDecoder.read(cursor);
      cursor.skipWhitespace();
      if (cursor.next("':'") != ':') {
        cursor.pos--;
        throw cursor.error("expected ':'");
      }
      return key;
    }

    private byte[] literal(String word) {
      int start = cursor.pos - 1;
      for (int i = 1; i < word.length(); i++) {
        if (cursor.pos >= cursor.in.length || cursor.in[cursor.pos] != word.charAt(i)) {
          cursor.pos = start;
          throw cursor.error("expected a value");
        }
        cursor.pos++;
      }
      return Arrays.copyOfRange(cursor.in, start, cursor.pos);
    }

    /** JSON number grammar; the source text is the canonical form (Go's json.Number). */
    private byte[] number() {
      int start = cursor.pos;
      if (cursor.peek() == '-') {
        cursor.pos++;
      }
      int c = cursor.peek();
      if (c == '0') {
        cursor.pos++;
      } else if (c >= '1' && c <= '9') {
        digits();
      } else {
        throw cursor.error("expected a digit");
      }
      if (cursor.peek() == '.') {
        cursor.pos++;
        requireDigits();
      }
      if (cursor.peek() == 'e' || cursor.peek() == 'E') {
        cursor.pos++;
        if (cursor.peek() == '+' || cursor.peek() == '-') {
          cursor.pos++;
        }
        requireDigits();
      }
      return Arrays.copyOfRange(cursor.in, start, cursor.pos);
    }

    private void requireDigits() {
      int c = cursor.peek();
      if (c < '0' || c > '9') {
        throw cursor.error("expected a digit");
      }
      digits();
    }

    private void digits() {
      while (cursor.pos < cursor.in.length
          && cursor.in[cursor.pos] >= '0'
          && cursor.in[cursor.pos] <= '9') {
        cursor.pos++;
      }
    }
  }
}
