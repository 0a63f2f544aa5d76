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
}
