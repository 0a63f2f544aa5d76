package dev.scopesync.bus;

import dev.scopesync.model.Scope;
import dev.scopesync.validation.ScopeParser;
import io.vertx.core.json.JsonObject;

/**
 * The scope verticle's answer to the fetcher ({@link Addresses#FETCHER_SCOPE}): the scope as stored
 * now, with its secrets, and for a bundle its slot's generation in the node's served bundles (0: no
 * slot, nothing built from it is published; DESIGN §18).
 */
public record ScopeAnswer(Scope scope, long servedGeneration) {
  private static final ScopeParser STORED = ScopeParser.forStoredScopes();

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("scope", scope.toStoredJson());
    if (servedGeneration != 0) {
      json.put("served_generation", servedGeneration);
    }
    return json;
  }

  public static ScopeAnswer fromJson(JsonObject json) {
    return new ScopeAnswer(
        STORED.parse(json.getJsonObject("scope")), json.getLong("served_generation", 0L));
  }
}
