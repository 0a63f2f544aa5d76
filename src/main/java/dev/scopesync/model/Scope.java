package dev.scopesync.model;

import io.vertx.core.json.JsonObject;

/**
 * A tenant: its id, its git policy source and its data configuration (kept as given, OPAL's {@code
 * DataSourceConfig}).
 */
public record Scope(String scopeId, GitPolicySource policy, JsonObject data) {

  /** The full JSON, secrets included: only for the store and the fetcher. */
  public JsonObject toStoredJson() {
    return toJson(true);
  }

  /** The JSON every read returns: {@code auth} shows its type and username only. */
  public JsonObject toPublicJson() {
    return toJson(false);
  }

  private JsonObject toJson(boolean withSecrets) {
    return new JsonObject()
        .put("scope_id", scopeId)
        .put("policy", policy.toJson(withSecrets))
        .put("data", data.copy());
  }

  @Override
  public String toString() {
    return "Scope[" + scopeId + ", " + policy.url() + "@" + policy.branch() + "]";
  }
}
