package dev.scopesync.bus;

import dev.scopesync.model.SourceId;
import io.vertx.core.json.JsonObject;

/**
 * Tells fetchers that a scope left a source, deleted or moved ({@link Addresses#FETCHER_DELETE}):
 * each drops the scope's ref and purges the source if no scope uses it any more.
 */
public record DeleteOrder(String scopeId, String sourceId) {
  public JsonObject toJson() {
    return new JsonObject().put("scope_id", scopeId).put("source_id", sourceId);
  }

  /** The order in {@code json}, or null when it lacks a scope id or a valid source id. */
  public static DeleteOrder fromJson(JsonObject json) {
    if (json != null
        && json.getValue("scope_id") instanceof String scopeId
        && json.getValue("source_id") instanceof String sourceId
        && SourceId.SHAPE.matcher(sourceId).matches()) {
      return new DeleteOrder(scopeId, sourceId);
    }
    return null;
  }
}
