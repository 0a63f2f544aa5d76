package dev.scopesync.bus;

import io.vertx.core.json.JsonObject;

/** Published by a fetcher after every delete job ({@link Addresses#FETCHER_DELETED}). */
public record DeletedEvent(
    String node, String scopeId, String sourceId, boolean purged, String error) {
  public JsonObject toJson() {
    return new JsonObject()
        .put("node", node)
        .put("scope_id", scopeId)
        .put("source_id", sourceId)
        .put("purged", purged)
        .put("error", error);
  }

  public static DeletedEvent fromJson(JsonObject json) {
    return new DeletedEvent(
        json.getString("node"),
        json.getString("scope_id"),
        json.getString("source_id"),
        json.getBoolean("purged", false),
        json.getString("error"));
  }
}
