package dev.scopesync.pubsub;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * This node's OPAL client connections and an index from topic to the connections subscribed to it,
 * so that a notification costs the number of its subscribers, not of all connections. A connection
 * leaves with all its subscriptions (OPAL's {@code notifier.unsubscribe(channel_id)}).
 *
 * <p>Confined to the HTTP verticle's event loop, except {@link #size()}, which any thread may read
 * (the metrics gauge).
 */
final class SubscriberRegistry {
  private final Set<Subscriber> connections = new HashSet<>();
  private final Map<String, Set<Subscriber>> byTopic = new HashMap<>();
  private final AtomicInteger size = new AtomicInteger();

  void add(Subscriber subscriber) {
    if (connections.add(subscriber)) {
      size.incrementAndGet();
    }
  }

  /** Drops the connection and every subscription it had; false when it was not here. */
  boolean remove(Subscriber subscriber) {
    if (!connections.remove(subscriber)) {
      return false;
    }
    size.decrementAndGet();
    for (String topic : subscriber.topics()) {
      dropFromTopic(topic, subscriber);
    }
    return true;
  }

  void subscribe(Subscriber subscriber, Collection<String> topics) {
    if (!connections.contains(subscriber)) {
      return;
    }
    for (String topic : topics) {
      if (subscriber.subscribe(topic)) {
        byTopic.computeIfAbsent(topic, t -> new HashSet<>(4)).add(subscriber);
      }
    }
  }

  void unsubscribe(Subscriber subscriber, Collection<String> topics) {
    for (String topic : topics) {
      if (subscriber.unsubscribe(topic)) {
        dropFromTopic(topic, subscriber);
      }
    }
  }

  /**
   * The connections subscribed to any of {@code topics}, each once, with the first of the topics it
   * subscribed to (the one its {@code notify} names).
   */
  Map<Subscriber, String> subscribersOf(Collection<String> topics) {
    Map<Subscriber, String> out = new LinkedHashMap<>();
    for (String topic : topics) {
      Set<Subscriber> subscribers = byTopic.get(topic);
      if (subscribers != null) {
        for (Subscriber s : subscribers) {
          out.putIfAbsent(s, topic);
        }
      }
    }
    return out;
  }

  /** A snapshot of every connection (for shutdown and keep-alive rounds). */
  List<Subscriber> all() {
    return new ArrayList<>(connections);
  }

  /** Connections; safe from any thread. */
  int size() {
    return size.get();
  }

  /** Topics with at least one subscriber. */
  int topicCount() {
    return byTopic.size();
  }

  private void dropFromTopic(String topic, Subscriber subscriber) {
    Set<Subscriber> subscribers = byTopic.get(topic);
    if (subscribers != null && subscribers.remove(subscriber) && subscribers.isEmpty()) {
      byTopic.remove(topic);
    }
  }
}
