package dev.scopesync.bus;

import dev.scopesync.model.SourceId;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the scope verticle tells fetchers to sync ({@link Addresses#FETCHER_SYNC} to every node,
 * {@link Addresses#FETCHER_SYNC_LOCAL} to this one): at most {@code SyncOrders.CHUNK} scopes, each
 * with the source it uses. Decoded here only; the wire keeps DESIGN §7's snake_case fields.
 *
 * @param forceFetch fetch even if the source was fetched recently (a push, a refresh)
 * @param hintedHash a commit the caller knows exists upstream, or null
 * @param requestedAt when the request reached the server, or null; a forced fetch is skipped when
 *     the source was fetched after it (OPAL's rule)
 * @param batch the first scope of each source fetches, its siblings only compare refs
 * @param automatic asked by a node's own boot or poll, not by a person, a push or a change of the
 *     scope: a failure that needs a person backs these off
 * @param announcer the node that announces a change, or null: the cluster's leader does
 */
public record SyncOrder(
    List<Item> scopes,
    boolean forceFetch,
    String hintedHash,
    Instant requestedAt,
    boolean batch,
    boolean automatic,
    String announcer) {
  /** One scope of an order and the source it uses (checked against {@link SourceId#SHAPE}). */
  public record Item(String scopeId, String sourceId) {}

  public SyncOrder {
    scopes = List.copyOf(scopes);
  }

  public SyncOrder withAnnouncer(String node) {
    return new SyncOrder(scopes, forceFetch, hintedHash, requestedAt, batch, automatic, node);
  }

  public JsonObject toJson() {
    JsonArray items = new JsonArray();
    for (Item item : scopes) {
      items.add(new JsonObject().put("scope_id", item.scopeId()).put("source_id", item.sourceId()));
    }
    JsonObject json =
        new JsonObject()
            .put("scopes", items)
            .put("force_fetch", forceFetch)
            .put("hinted_hash", hintedHash)
            .put("requested_at", requestedAt == null ? null : requestedAt.toEpochMilli())
            .put("batch", batch);
    if (automatic) {
      json.put("automatic", true);
    }
    if (announcer != null) {
      json.put("announcer", announcer);
    }
    return json;
  }

  /**
   * The order in {@code json}, or null when it has no {@code scopes} array. Items without a valid
   * scope id and source id are left out, and counted in {@link Decoded#dropped}.
   */
  public static Decoded fromJson(JsonObject json) {
    if (json == null || !(json.getValue("scopes") instanceof JsonArray array)) {
      return null;
    }
    List<Item> items = new ArrayList<>(array.size());
    int dropped = 0;
    for (Object value : array) {
      if (value instanceof JsonObject item
          && item.getValue("scope_id") instanceof String scopeId
          && item.getValue("source_id") instanceof String sourceId
          && SourceId.SHAPE.matcher(sourceId).matches()) {
        items.add(new Item(scopeId, sourceId));
      } else {
        dropped++;
      }
    }
    Long millis = json.getValue("requested_at") instanceof Number n ? n.longValue() : null;
    return new Decoded(
        new SyncOrder(
            items,
            Boolean.TRUE.equals(json.getValue("force_fetch")),
            json.getValue("hinted_hash") instanceof String s ? s : null,
            millis == null ? null : Instant.ofEpochMilli(millis),
            Boolean.TRUE.equals(json.getValue("batch")),
            Boolean.TRUE.equals(json.getValue("automatic")),
            json.getValue("announcer") instanceof String a ? a : null),
        dropped);
  }

  /** A decoded order and how many of its items were not valid. */
  public record Decoded(SyncOrder order, int dropped) {}
}
