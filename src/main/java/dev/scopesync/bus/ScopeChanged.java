package dev.scopesync.bus;

import io.vertx.core.json.JsonObject;

/**
 * Published by a node after it wrote a scope to a shared store ({@link Addresses#SCOPES_CHANGED}):
 * the other nodes re-read that scope.
 *
 * @param node the node that wrote it (it ignores its own announcement)
 */
public record ScopeChanged(String scopeId, String node) {
  public JsonObject toJson() {
    return new JsonObject().put("scope_id", scopeId).put("node", node);
  }

  /** The announcement in {@code json}, or null without a scope id. */
  public static ScopeChanged fromJson(JsonObject json) {
    return json != null && json.getValue("scope_id") instanceof String scopeId
        ? new ScopeChanged(scopeId, json.getValue("node") instanceof String n ? n : null)
        : null;
  }
}
