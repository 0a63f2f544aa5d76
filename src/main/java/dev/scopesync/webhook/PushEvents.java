package dev.scopesync.webhook;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A {@link PushEvent} to and from JSON, to cross the event bus from the HTTP edge to the scopes.
 */
public final class PushEvents {
  private PushEvents() {}

  public static JsonObject toJson(PushEvent event) {
    return new JsonObject()
        .put("provider", event.provider())
        .put("is_push", event.isPush())
        .put("event_name", event.eventName())
        .put("repository_urls", new JsonArray(event.repositoryUrls()))
        .put("full_names", new JsonArray(event.fullNames()))
        .put("branches", new JsonArray(event.branches()));
  }

  public static PushEvent fromJson(JsonObject json) {
    return new PushEvent(
        json.getString("provider", Providers.UNKNOWN),
        json.getBoolean("is_push", false),
        json.getString("event_name", ""),
        strings(json, "repository_urls"),
        strings(json, "full_names"),
        strings(json, "branches"));
  }

  private static List<String> strings(JsonObject json, String key) {
    return json.getJsonArray(key, new JsonArray()).stream().map(String::valueOf).toList();
  }
}
