package dev.scopesync.webhook;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Type-tolerant reads of a webhook payload. Senders differ and payloads are untrusted, so a field
 * of the wrong type reads as absent instead of throwing {@link ClassCastException}.
 */
final class PayloadFields {
  private PayloadFields() {}

  /** The object at {@code path} (dot-free keys, one per level), or null. */
  static JsonObject object(JsonObject from, String... path) {
    JsonObject current = from;
    for (String key : path) {
      if (current == null) {
        return null;
      }
      current = current.getValue(key) instanceof JsonObject next ? next : null;
    }
    return current;
  }

  /** The non-blank string at {@code key} of {@code from}, stripped, or null. */
  static String string(JsonObject from, String key) {
    if (from == null) {
      return null;
    }
    if (from.getValue(key) instanceof String value && !value.isBlank()) {
      return value.strip();
    }
    return null;
  }

  /** The objects in the array at {@code key} of {@code from}; other elements are skipped. */
  static List<JsonObject> objects(JsonObject from, String key) {
    List<JsonObject> found = new ArrayList<>();
    if (from != null && from.getValue(key) instanceof JsonArray array) {
      for (Object element : array) {
        if (element instanceof JsonObject object) {
          found.add(object);
        }
      }
    }
    return found;
  }
}
