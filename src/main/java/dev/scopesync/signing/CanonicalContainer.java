package dev.scopesync.signing;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * An object or array being parsed by {@link CanonicalJson}: its members so far, each already in its
 * canonical encoding, and the encoding of the whole when it closes. An object's members are sorted
 * by the UTF-8 bytes of their keys (Go's string order, not Java's UTF-16 {@code compareTo}); an
 * array keeps its order.
 *
 * <p>The one thing a caller must know: for an object, set {@link #pendingKey} before each {@link
 * #add}. Mutable; used by one parse on one thread.
 */
final class CanonicalContainer {
  final boolean object;

  /** Object members by key bytes; a repeated key replaces the earlier value, as in Go's map. */
  final TreeMap<byte[], byte[]> members;

  final ByteArrayOutputStream elements;
  int count;
  byte[] pendingKey;

  CanonicalContainer(boolean object) {
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
