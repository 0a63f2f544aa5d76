package dev.scopesync.model;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Where a scope's policy lives: OPAL's {@code GitPolicyScopeSource}. */
public record GitPolicySource(
    String url,
    String branch,
    List<String> directories,
    List<String> extensions,
    String manifest,
    List<String> bundleIgnore,
    boolean pollUpdates,
    GitAuth auth) {

  public static final String SOURCE_TYPE = "git";

  public GitPolicySource {
    directories = List.copyOf(directories);
    extensions = List.copyOf(extensions);
    bundleIgnore = bundleIgnore == null ? null : List.copyOf(bundleIgnore);
  }

  public JsonObject toJson(boolean withSecrets) {
    return new JsonObject()
        .put("source_type", SOURCE_TYPE)
        .put("url", url)
        .put("auth", auth.toJson(withSecrets))
        .put("directories", new JsonArray(directories))
        .put("extensions", new JsonArray(extensions))
        .put("bundle_ignore", bundleIgnore == null ? null : new JsonArray(bundleIgnore))
        .put("manifest", manifest)
        .put("poll_updates", pollUpdates)
        .put("branch", branch);
  }
}
