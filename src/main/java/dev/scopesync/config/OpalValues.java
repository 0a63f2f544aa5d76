package dev.scopesync.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The variables of one environment read as OPAL's confi reads them: an empty value is unset, and a
 * value that is not what the variable needs stops the start with the variable named ({@link
 * ConfigException}), never a silent default. Immutable over the map it is given.
 */
final class OpalValues {
  private final Map<String, String> env;

  OpalValues(Map<String, String> env) {
    this.env = env;
  }

  /** Every variable name of the environment, {@code OPAL_*} or not. */
  Set<String> names() {
    return env.keySet();
  }

  /** The value, or null when the variable is unset or empty. */
  String value(String name) {
    String raw = env.get(name);
    return raw == null || raw.isEmpty() ? null : raw;
  }

  /** The value, or {@code fallback} when the variable is unset or empty. */
  String valueOr(String name, String fallback) {
    String raw = value(name);
    return raw != null ? raw : fallback;
  }

  Integer integer(String name) {
    String raw = value(name);
    if (raw == null) {
      return null;
    }
    try {
      return Integer.parseInt(raw.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(name + " must be an integer, got '" + raw + "'");
    }
  }

  /** {@code 1/true/yes/on} and {@code 0/false/no/off}, any case; anything else is refused. */
  Boolean bool(String name) {
    String raw = value(name);
    if (raw == null) {
      return null;
    }
    return switch (raw.trim().toLowerCase(Locale.ROOT)) {
      case "1", "true", "yes", "on" -> true;
      case "0", "false", "no", "off" -> false;
      default ->
          throw new ConfigException(
              name + " must be a boolean (true/false, 1/0, yes/no, on/off), got '" + raw + "'");
    };
  }

  /**
   * A JSON list, or items separated by commas (confi's {@code list}), blanks dropped. Only for a
   * variable that is set.
   */
  JsonArray list(String name) {
    String raw = value(name).trim();
    if (raw.startsWith("[")) {
      try {
        JsonArray parsed = new JsonArray(raw);
        if (parsed.stream().allMatch(String.class::isInstance)) {
          return parsed;
        }
      } catch (DecodeException e) {
        // not JSON: read as comma-separated below, as confi would
      }
    }
    JsonArray items = new JsonArray();
    for (String item : raw.split(",")) {
      if (!item.isBlank()) {
        items.add(item.trim());
      }
    }
    return items;
  }

  /** A JSON object. Only for a variable that is set. */
  JsonObject json(String name) {
    try {
      return new JsonObject(value(name));
    } catch (DecodeException | ClassCastException e) {
      throw new ConfigException(name + " is not a JSON object: " + e.getMessage());
    }
  }
}
