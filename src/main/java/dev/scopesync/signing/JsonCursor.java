package dev.scopesync.signing;

/**
 * A position in the bytes of one JSON document being parsed, with the few moves every part of the
 * parser makes (skip whitespace, look at or take the next byte) and its errors, which say the byte
 * offset where parsing stopped.
 *
 * <p>{@link CanonicalJson}'s parser and {@link GoJsonStringDecoder} move {@link #pos} themselves
 * where the grammar needs more than one byte of look-ahead. Mutable: one cursor per parse, on one
 * thread.
 */
final class JsonCursor {
  /** The whole input; never modified. */
  final byte[] in;

  /** The offset of the next byte to read; {@code in.length} at the end. */
  int pos;

  JsonCursor(byte[] in, int start) {
    this.in = in;
    this.pos = start;
  }

  void skipWhitespace() {
    while (pos < in.length
        && (in[pos] == ' ' || in[pos] == '\t' || in[pos] == '\n' || in[pos] == '\r')) {
      pos++;
    }
  }

  /** The next byte (0–255) without taking it, or -1 at the end. */
  int peek() {
    return pos < in.length ? in[pos] & 0xff : -1;
  }

  /** Takes the next byte (0–255); at the end, an error saying {@code expected} was wanted. */
  int next(String expected) {
    if (pos >= in.length) {
      throw error("unexpected end of input, expected " + expected);
    }
    return in[pos++] & 0xff;
  }

  /** The refusal for the document, at the current position. */
  IllegalArgumentException error(String what) {
    return new IllegalArgumentException("not JSON at byte " + pos + ": " + what);
  }
}
