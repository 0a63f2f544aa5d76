package dev.scopesync.pubsub;

import dev.scopesync.metrics.ServerMetrics;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the node's policy and data update events into {@code notify} frames for the connections
 * subscribed to their topics: one frame per connection per update however many of its topics match,
 * the data encoded once per update. A connection whose unsent bytes would pass its bound is handed
 * to {@code overflow} (which closes it) instead of being buffered for.
 *
 * <p>Confined to the HTTP verticle's event loop.
 */
final class Notifier {
  private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);

  private final SubscriberRegistry registry;
  private final ServerMetrics metrics;
  private final Consumer<Subscriber> overflow;

  Notifier(SubscriberRegistry registry, ServerMetrics metrics, Consumer<Subscriber> overflow) {
    this.registry = registry;
    this.metrics = metrics;
    this.overflow = overflow;
  }

  /**
   * A {@code scopesync.policy-updated} event: OPAL's {@code PolicyUpdateMessage} on {@code
   * S:policy:<dir>} for every changed directory.
   */
  void policyUpdated(JsonObject event) {
    String scopeId = event.getString("scope_id");
    List<String> directories = strings(event.getJsonArray("changed_directories"));
    if (scopeId == null || directories.isEmpty()) {
      return;
    }
    List<String> topics = Topics.policyTopics(scopeId, directories);
    String data = policyMessage(event, directories);
    if (RpcFrames.largestNotifySize(topics, data.length()) > RpcFrames.MAX_MESSAGE_BYTES) {
      // Thousands of directories: a client only intersects them with its subscription dirs and
      // fetches either way, so "." alone keeps the message under the client's limit.
      LOG.warn(
          "scope_id={} policy update names {} directories, too many for one message: notified as '.'",
          scopeId,
          directories.size());
      data = policyMessage(event, List.of("."));
    }
    fanOut(topics, data);
  }

  /** A {@code scopesync.data-updated} event ({@link ScopedDataUpdate#toEvent()}). */
  void dataUpdated(JsonObject event) {
    ScopedDataUpdate update = ScopedDataUpdate.fromEvent(event);
    if (update.scopeId() == null || update.topics().isEmpty()) {
      return;
    }
    fanOut(update.topics(), PythonJson.encode(update.update()));
  }

  /**
   * @return the frames sent
   */
  int fanOut(List<String> topics, String encodedData) {
    Map<Subscriber, String> subscribers = registry.subscribersOf(topics);
    int sent = 0;
    for (Map.Entry<Subscriber, String> e : subscribers.entrySet()) {
      Subscriber s = e.getKey();
      String topic = e.getValue();
      String frame = RpcFrames.notify(s.subscriptionOf(topic), s.channelId(), topic, encodedData);
      if (s.send(frame)) {
        sent++;
      } else if (!s.closed()) {
        overflow.accept(s);
      }
    }
    if (sent > 0) {
      metrics.pubsubNotifications(sent);
    }
    return sent;
  }

  /** OPAL's {@code PolicyUpdateMessage}, in its field order. */
  private static String policyMessage(JsonObject event, List<String> directories) {
    JsonObject message =
        new JsonObject()
            .put("old_policy_hash", event.getString("old_policy_hash"))
            .put("new_policy_hash", event.getString("new_policy_hash"))
            .put("changed_directories", new JsonArray(new ArrayList<>(directories)));
    return PythonJson.encode(message);
  }

  private static List<String> strings(JsonArray array) {
    List<String> out = new ArrayList<>();
    if (array != null) {
      array.forEach(
          item -> {
            if (item instanceof String s) {
              out.add(s);
            }
          });
    }
    return out;
  }
}
