package dev.scopesync.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * OPAL's {@code ServerDataSourceConfig} checked as its pydantic model checks it: exactly one of
 * {@code config} ({@code {"entries": [DataSourceEntry…]}}) and {@code external_source_url} (an http
 * or https url). Stateless.
 */
final class DataSourceConfigs {
  private DataSourceConfigs() {}

  /**
   * @return {@code sources} when valid (unknown fields are kept: clients ignore them)
   * @throws IllegalArgumentException naming the field at fault
   */
  static JsonObject validated(JsonObject sources) {
    Object config = sources.getValue("config");
    Object external = sources.getValue("external_source_url");
    if (config == null && external == null) {
      throw new IllegalArgumentException("one of 'config' and 'external_source_url' is required");
    }
    if (config != null && external != null) {
      throw new IllegalArgumentException(
          "only one of 'config' and 'external_source_url' may be given");
    }
    if (external != null) {
      httpUrl(external);
      return sources;
    }
    if (!(config instanceof JsonObject c)) {
      throw new IllegalArgumentException("config: must be an object with 'entries'");
    }
    Object entries = c.getValue("entries");
    if (entries != null && !(entries instanceof JsonArray)) {
      throw new IllegalArgumentException("config.entries: must be a list");
    }
    JsonArray list = entries == null ? new JsonArray() : (JsonArray) entries;
    for (int i = 0; i < list.size(); i++) {
      entry(list.getValue(i), "config.entries[" + i + "]");
    }
    return sources;
  }

  private static void entry(Object value, String field) {
    if (!(value instanceof JsonObject entry)) {
      throw new IllegalArgumentException(field + ": must be an object");
    }
    if (!(entry.getValue("url") instanceof String)) {
      throw new IllegalArgumentException(field + ".url: field required (a string)");
    }
    Object topics = entry.getValue("topics");
    if (topics != null
        && !(topics instanceof JsonArray t && t.stream().allMatch(String.class::isInstance))) {
      throw new IllegalArgumentException(field + ".topics: must be a list of strings");
    }
    Object config = entry.getValue("config");
    if (config != null && !(config instanceof JsonObject)) {
      throw new IllegalArgumentException(field + ".config: must be an object");
    }
    Object dst = entry.getValue("dst_path");
    if (dst != null && !(dst instanceof String)) {
      throw new IllegalArgumentException(field + ".dst_path: must be a string");
    }
    Object method = entry.getValue("save_method");
    if (method != null && !"PUT".equals(method) && !"PATCH".equals(method)) {
      throw new IllegalArgumentException(field + ".save_method: must be PUT or PATCH");
    }
    Object interval = entry.getValue("periodic_update_interval");
    if (interval != null && !(interval instanceof Number)) {
      throw new IllegalArgumentException(
          field + ".periodic_update_interval: must be a number of seconds");
    }
  }

  private static void httpUrl(Object value) {
    if (value instanceof String text) {
      try {
        URI uri = new URI(text);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
          return;
        }
      } catch (URISyntaxException e) {
        // refused below
      }
    }
    throw new IllegalArgumentException("external_source_url: must be an http or https url");
  }
}
