package dev.scopesync.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.handler.HttpException;
import java.util.ArrayList;
import java.util.List;

/** Validation and topic handling of OPAL's {@code DataUpdate} body ({@code {"entries": [...]}}). */
final class DataUpdates {
  static final String DATA_PREFIX = "data:";

  private DataUpdates() {}

  /** The entries, each an object whose optional {@code topics} is a list of strings; else 422. */
  static JsonArray entries(JsonObject update) {
    if (!(update.getValue("entries") instanceof JsonArray entries)) {
      throw new HttpException(422, "entries: must be a list");
    }
    for (int i = 0; i < entries.size(); i++) {
      if (!(entries.getValue(i) instanceof JsonObject entry)) {
        throw new HttpException(422, "entries[" + i + "]: must be an object");
      }
      Object topics = entry.getValue("topics");
      if (topics != null && !(topics instanceof JsonArray list && list.stream().allMatch(t -> t instanceof String))) {
        throw new HttpException(422, "entries[" + i + "].topics: must be a list of strings");
      }
    }
    return entries;
  }

  /** Every topic of every entry, as given (OPAL checks permissions before prefixing). */
  static List<String> topics(JsonArray entries) {
    List<String> topics = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      entries.getJsonObject(i).getJsonArray("topics", new JsonArray()).forEach(t -> topics.add((String) t));
    }
    return topics;
  }

  static String prefixed(String topic) {
    return topic.startsWith(DATA_PREFIX) ? topic : DATA_PREFIX + topic;
  }

  static JsonArray withDataPrefix(JsonArray entries) {
    JsonArray out = new JsonArray();
    for (int i = 0; i < entries.size(); i++) {
      JsonObject entry = entries.getJsonObject(i).copy();
      JsonArray topics = entry.getJsonArray("topics");
      if (topics != null) {
        entry.put("topics", new JsonArray(topics.stream().map(t -> prefixed((String) t)).toList()));
      }
      out.add(entry);
    }
    return out;
  }
}
