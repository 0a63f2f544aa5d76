package dev.scopesync.pubsub;

import dev.scopesync.metrics.ServerMetrics;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RPC methods a client may call on the server (fastapi_websocket_pubsub's {@code
 * RpcEventServerMethods} plus the RPC library's built-ins), answered with the result and {@code
 * result_type} OPAL server gives (OPAL-CLIENT.md §2.4). A client's {@code publish} is acknowledged
 * and dropped: only the server notifies (OPAL clients publish only statistics, off by default), so
 * no client can push policy or data to another. Unknown methods and malformed frames are logged at
 * DEBUG and ignored; the connection stays up.
 *
 * <p>Confined to the HTTP verticle's event loop.
 */
final class ServerMethods {
  private static final Logger LOG = LoggerFactory.getLogger(ServerMethods.class);

  private final SubscriberRegistry registry;
  private final ServerMetrics metrics;

  ServerMethods(SubscriberRegistry registry, ServerMetrics metrics) {
    this.registry = registry;
    this.metrics = metrics;
  }

  /**
   * Handles one text message of {@code from}.
   *
   * @return the answer to send, or null when nothing is to be answered
   */
  String handle(Subscriber from, String text) {
    RpcMessage message = RpcFrames.parse(text);
    switch (message.kind()) {
      case REPLY -> {
        return null; // the client's "None" to our notify: nothing waits for it
      }
      case INVALID -> {
        LOG.debug("channel={} ignored a message: {}", from.channelId(), message.problem());
        return null;
      }
      default -> {
        return call(from, message);
      }
    }
  }

  private String call(Subscriber from, RpcMessage call) {
    String callId = call.callId();
    return switch (call.method()) {
      case "_ping_" -> RpcFrames.response("pong", "str", callId);
      case "_get_channel_id_" -> RpcFrames.response(from.channelId(), "str", callId);
      case "subscribe" -> RpcFrames.response(subscribe(from, call.arguments()), "bool", callId);
      case "unsubscribe" -> RpcFrames.response(unsubscribe(from, call.arguments()), "bool", callId);
      case "publish" -> RpcFrames.response(publish(from, call.arguments()), "bool", callId);
      default -> {
        LOG.debug(
            "channel={} called unknown method '{}': ignored", from.channelId(), call.method());
        yield null;
      }
    };
  }

  /**
   * All or nothing: a topic the token does not permit makes the answer false and subscribes none.
   */
  private boolean subscribe(Subscriber from, JsonObject arguments) {
    List<String> topics = topics(arguments);
    if (topics == null) {
      LOG.debug("channel={} subscribe without a list of topics: refused", from.channelId());
      return false;
    }
    if (!TopicAccess.permitsAll(from.claims(), topics)) {
      LOG.info(
          "channel={} subscribe refused: topics outside the token's allowed_scopes or permitted_topics",
          from.channelId());
      metrics.pubsubRejected("forbidden_topics");
      return false;
    }
    registry.subscribe(from, topics);
    LOG.debug("channel={} subscribed to {}", from.channelId(), topics);
    return true;
  }

  private boolean unsubscribe(Subscriber from, JsonObject arguments) {
    List<String> topics = topics(arguments);
    if (topics == null) {
      return false;
    }
    registry.unsubscribe(from, topics);
    return true;
  }

  /** OPAL's {@code STATISTICS_ADD_CLIENT_CHANNEL}. */
  static final String STATS_ADD_CLIENT = "__opal_stats_add";

  private boolean publish(Subscriber from, JsonObject arguments) {
    List<String> topics = topics(arguments);
    boolean permitted = topics != null && TopicAccess.permitsAll(from.claims(), topics);
    // An OPAL client with OPAL_STATISTICS_ENABLED names itself once connected: GET /statistics
    // shows it.
    if (permitted
        && topics.contains(STATS_ADD_CLIENT)
        && arguments.getValue("data") instanceof JsonObject data
        && data.getValue("client_id") instanceof String clientId
        && clientId.length() <= 256) {
      from.statId(clientId);
    }
    return permitted;
  }

  /** The {@code topics} argument as strings; null when it is not a list of strings. */
  private static List<String> topics(JsonObject arguments) {
    if (!(arguments.getValue("topics") instanceof JsonArray array)) {
      return null;
    }
    List<String> topics = new ArrayList<>(array.size());
    for (Object item : array) {
      if (!(item instanceof String topic)) {
        return null;
      }
      topics.add(topic);
    }
    return topics;
  }
}
