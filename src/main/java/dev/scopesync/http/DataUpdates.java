package dev.scopesync.http;

import dev.scopesync.pubsub.Topics;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.handler.HttpException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * OPAL's {@code DataUpdate} body, validated as OPAL's pydantic model validates it and written out
 * in that model's shape: every field, in its order, with its default ({@code id}, {@code entries}
 * of {@code url, config, topics, dst_path, save_method, data}, {@code reason}, {@code callback}),
 * so clients receive exactly what OPAL server would send them. Unknown fields are dropped, as
 * pydantic drops them. Anything else is a 422 naming the field.
 */
final class DataUpdates {
  private static final Set<String> SAVE_METHODS = Set.of("PUT", "PATCH");

  private DataUpdates() {}

  static JsonObject normalized(Object body) {
    if (!(body instanceof JsonObject update)) {
      throw new HttpException(422, "body: must be a JSON object with 'entries'");
    }
    if (!(update.getValue("entries") instanceof JsonArray entries)) {
      throw new HttpException(422, "entries: must be a list");
    }
    JsonArray normalizedEntries = new JsonArray();
    for (int i = 0; i < entries.size(); i++) {
      normalizedEntries.add(entry(entries.getValue(i), "entries[" + i + "]"));
    }
    Object callback = update.getValue("callback");
    if (callback != null
        && !(callback instanceof JsonObject c && c.getValue("callbacks") instanceof JsonArray)) {
      throw new HttpException(422, "callback: must be an object with a list 'callbacks'");
    }
    return new JsonObject()
        .put("id", optionalString(update, "id", "id"))
        .put("entries", normalizedEntries)
        .put("reason", optionalString(update, "reason", "reason"))
        .put(
            "callback",
            callback == null ? new JsonObject().put("callbacks", new JsonArray()) : callback);
  }

  /**
   * Every topic of every entry (after OPAL's default), as the caller gave them: what
   * permitted_topics is checked against.
   */
  static List<String> topics(JsonObject normalized) {
    List<String> topics = new ArrayList<>();
    for (Object entry : normalized.getJsonArray("entries")) {
      ((JsonObject) entry).getJsonArray("topics").forEach(t -> topics.add((String) t));
    }
    return topics;
  }

  private static JsonObject entry(Object value, String field) {
    if (!(value instanceof JsonObject entry)) {
      throw new HttpException(422, field + ": must be an object");
    }
    Object topics = entry.getValue("topics");
    if (topics != null
        && !(topics instanceof JsonArray list
            && list.stream().allMatch(t -> t instanceof String))) {
      throw new HttpException(422, field + ".topics: must be a list of strings");
    }
    if (!(entry.getValue("url") instanceof String url)) {
      throw new HttpException(422, field + ".url: must be a string (\"\" when 'data' is inline)");
    }
    Object config = entry.getValue("config");
    if (config != null && !(config instanceof JsonObject)) {
      throw new HttpException(422, field + ".config: must be an object or null");
    }
    String dstPath =
        entry.getValue("dst_path") == null ? "" : requireString(entry, "dst_path", field);
    String saveMethod =
        entry.getValue("save_method") == null ? "PUT" : requireString(entry, "save_method", field);
    if (!SAVE_METHODS.contains(saveMethod)) {
      throw new HttpException(422, field + ".save_method: must be PUT or PATCH");
    }
    Object data = entry.getValue("data");
    if (data != null && !(data instanceof JsonObject) && !(data instanceof JsonArray)) {
      throw new HttpException(422, field + ".data: must be an object, a list or null");
    }
    if ("PATCH".equals(saveMethod) && !isJsonPatch(data)) {
      throw new HttpException(
          422,
          field
              + ".data: with save_method PATCH, must be a list of JSON patch"
              + " operations ({\"op\", \"path\", …})");
    }
    return new JsonObject()
        .put("url", url)
        .put("config", config)
        .put("topics", topics == null ? new JsonArray().add(Topics.DEFAULT_DATA_TOPIC) : topics)
        .put("dst_path", dstPath)
        .put("save_method", saveMethod)
        .put("data", data);
  }

  private static boolean isJsonPatch(Object data) {
    return data instanceof JsonArray ops
        && ops.stream()
            .allMatch(
                op ->
                    op instanceof JsonObject o
                        && o.getValue("op") instanceof String
                        && o.getValue("path") instanceof String);
  }

  private static String requireString(JsonObject object, String key, String field) {
    if (!(object.getValue(key) instanceof String s)) {
      throw new HttpException(422, field + "." + key + ": must be a string");
    }
    return s;
  }

  private static String optionalString(JsonObject object, String key, String field) {
    Object value = object.getValue(key);
    if (value != null && !(value instanceof String)) {
      throw new HttpException(422, field + ": must be a string or null");
    }
    return (String) value;
  }
}
