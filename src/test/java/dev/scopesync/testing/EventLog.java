package dev.scopesync.testing;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Records every JSON message published on an address, and waits for ones that match. */
public final class EventLog implements AutoCloseable {
  private final MessageConsumer<JsonObject> consumer;
  private final List<JsonObject> events = new ArrayList<>();

  public EventLog(Vertx vertx, String address) {
    consumer =
        vertx
            .eventBus()
            .consumer(
                address,
                m -> {
                  synchronized (events) {
                    events.add(m.body());
                    events.notifyAll();
                  }
                });
    try {
      consumer.completion().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public List<JsonObject> all() {
    synchronized (events) {
      return List.copyOf(events);
    }
  }

  public List<JsonObject> matching(Predicate<JsonObject> filter) {
    return all().stream().filter(filter).toList();
  }

  /**
   * Waits until at least {@code count} events match; fails the test with what was seen otherwise.
   */
  public List<JsonObject> await(Predicate<JsonObject> filter, int count, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    synchronized (events) {
      while (true) {
        List<JsonObject> found = events.stream().filter(filter).toList();
        if (found.size() >= count) {
          return found;
        }
        long left = Duration.between(Instant.now(), deadline).toMillis();
        if (left <= 0) {
          throw new AssertionError(
              "expected "
                  + count
                  + " matching events on "
                  + consumer.address()
                  + ", saw "
                  + found.size()
                  + "; all events: "
                  + events);
        }
        try {
          events.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }
  }

  public JsonObject awaitOne(Predicate<JsonObject> filter, Duration timeout) {
    List<JsonObject> found = await(filter, 1, timeout);
    return found.get(found.size() - 1);
  }

  public void clear() {
    synchronized (events) {
      events.clear();
    }
  }

  public static Predicate<JsonObject> field(String name, Object value) {
    return e -> value.equals(e.getValue(name));
  }

  @Override
  public void close() {
    consumer.unregister();
  }
}
