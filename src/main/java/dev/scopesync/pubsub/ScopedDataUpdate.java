package dev.scopesync.pubsub;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A data update of one scope as its clients must receive it (DESIGN §12): each entry's {@code
 * topics} replaced by the scope-prefixed, prefix-expanded topics (OPAL sends them unprefixed and
 * every scoped client drops every entry: OPAL issue #920), notified on the union of those topics.
 * This is also the event published on {@code scopesync.data-updated} and {@code
 * scopesync.data-updated.<scope_id>}: {@code {"scope_id", "topics", "update"}}.
 *
 * @param scopeId the scope
 * @param topics the topics the update is notified on
 * @param update the {@code DataUpdate} as notified
 */
public record ScopedDataUpdate(String scopeId, List<String> topics, JsonObject update) {

  public ScopedDataUpdate {
    topics = List.copyOf(topics);
  }

  /**
   * @param dataUpdate an OPAL {@code DataUpdate} whose entries are objects (validated); not changed
   */
  public static ScopedDataUpdate of(String scopeId, JsonObject dataUpdate) {
    JsonArray entries =
        Topics.scopedEntries(scopeId, dataUpdate.getJsonArray("entries", new JsonArray()));
    List<String> topics = new ArrayList<>();
    for (Object entry : entries) {
      ((JsonObject) entry)
          .getJsonArray("topics")
          .forEach(
              t -> {
                if (!topics.contains((String) t)) {
                  topics.add((String) t);
                }
              });
    }
    return new ScopedDataUpdate(scopeId, topics, dataUpdate.copy().put("entries", entries));
  }

  /**
   * The size of the largest {@code notify} frame this update makes: the one naming its longest
   * topic. An OPAL client closes its socket on a message over {@link RpcFrames#MAX_MESSAGE_BYTES}.
   */
  public int largestNotifyBytes() {
    return RpcFrames.largestNotifySize(topics, PythonJson.encode(update).length());
  }

  public JsonObject toEvent() {
    return new JsonObject()
        .put("scope_id", scopeId)
        .put("topics", new JsonArray(topics))
        .put("update", update);
  }

  static ScopedDataUpdate fromEvent(JsonObject event) {
    List<String> topics = new ArrayList<>();
    event.getJsonArray("topics", new JsonArray()).forEach(t -> topics.add(String.valueOf(t)));
    return new ScopedDataUpdate(
        event.getString("scope_id"), topics, event.getJsonObject("update", new JsonObject()));
  }
}
