package dev.scopesync.bus;

import io.vertx.core.json.JsonObject;

/**
 * Published by a fetcher after every sync, whatever its outcome ({@link Addresses#FETCHER_SYNCED};
 * tests, benchmarks and the scope verticle's status listen).
 *
 * @param outcome {@code ok}, {@code error}, {@code skipped} (deleted or moved meanwhile), {@code
 *     backoff} (not tried: a failure that needs a person is waiting out its delay) or {@code
 *     frozen} (not tried: a frozen node of a sharded cluster clones nothing new)
 * @param kind for a failure, what failed ({@code auth}, {@code not_found}, …); else null
 * @param needsPerson for a failure, whether retrying cannot help until someone fixes something
 */
public record SyncedEvent(
    String node,
    String scopeId,
    String sourceId,
    String outcome,
    String commit,
    boolean cloned,
    boolean fetched,
    String error,
    String kind,
    boolean needsPerson) {
  public static final String OK = "ok";
  public static final String ERROR = "error";
  public static final String SKIPPED = "skipped";
  public static final String BACKOFF = "backoff";

  /**
   * Not synced because this node is frozen (SHARDING.md §3.1) and holds no clone of the source: a
   * frozen node clones nothing new.
   */
  public static final String FROZEN = "frozen";

  public JsonObject toJson() {
    return new JsonObject()
        .put("node", node)
        .put("scope_id", scopeId)
        .put("source_id", sourceId)
        .put("outcome", outcome)
        .put("commit", commit)
        .put("cloned", cloned)
        .put("fetched", fetched)
        .put("error", error)
        .put("kind", kind)
        .put("needs_person", needsPerson);
  }

  public static SyncedEvent fromJson(JsonObject json) {
    return new SyncedEvent(
        json.getString("node"),
        json.getString("scope_id"),
        json.getString("source_id"),
        json.getString("outcome"),
        json.getString("commit"),
        json.getBoolean("cloned", false),
        json.getBoolean("fetched", false),
        json.getString("error"),
        json.getString("kind"),
        json.getBoolean("needs_person", false));
  }
}
