package dev.scopesync.bus;

import dev.scopesync.model.GitPolicySource;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A bundle request to this node's fetcher ({@link Addresses#FETCHER_BUNDLE}).
 *
 * @param baseHash the commit a diff is made against, or null for a whole bundle (JSON only)
 * @param ifNoneMatch the ETags the client holds (a match answers 304)
 * @param paths OPAL's {@code GET /policy?path=…}: the directories the bundle is narrowed to, in
 *     place of the scope's own; empty for the scope's
 */
public record BundleQuery(
    String scopeId, String baseHash, Format format, List<String> ifNoneMatch, List<String> paths) {
  /** What is built: OPAL's JSON bundle or OPA's {@code bundle.tar.gz}. */
  public enum Format {
    JSON("application/json"),
    TAR("application/gzip");

    public final String contentType;

    Format(String contentType) {
      this.contentType = contentType;
    }
  }

  public BundleQuery {
    ifNoneMatch = List.copyOf(ifNoneMatch);
    paths = List.copyOf(paths);
  }

  public BundleQuery(String scopeId, String baseHash, Format format, List<String> ifNoneMatch) {
    this(scopeId, baseHash, format, ifNoneMatch, List.of());
  }

  public static BundleQuery json(String scopeId, String baseHash) {
    return new BundleQuery(scopeId, baseHash, Format.JSON, List.of());
  }

  public BundleQuery withIfNoneMatch(List<String> etags) {
    return new BundleQuery(scopeId, baseHash, format, etags, paths);
  }

  /** The source as this query reads it: narrowed to {@link #paths} when there are any. */
  public GitPolicySource narrow(GitPolicySource source) {
    return paths.isEmpty()
        ? source
        : new GitPolicySource(
            source.url(),
            source.branch(),
            paths,
            source.extensions(),
            source.manifest(),
            source.bundleIgnore(),
            source.pollUpdates(),
            source.auth());
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("scope_id", scopeId)
        .put("base_hash", baseHash)
        .put("format", format == Format.TAR ? "tar" : "json")
        .put("if_none_match", new JsonArray(ifNoneMatch))
        .put("paths", new JsonArray(paths));
  }

  public static BundleQuery fromJson(JsonObject json) {
    Format format = "tar".equals(json.getString("format")) ? Format.TAR : Format.JSON;
    return new BundleQuery(
        json.getString("scope_id"),
        json.getString("base_hash"),
        format,
        strings(json.getJsonArray("if_none_match")),
        strings(json.getJsonArray("paths")));
  }

  private static List<String> strings(JsonArray array) {
    return array == null ? List.of() : array.stream().map(String::valueOf).toList();
  }
}
