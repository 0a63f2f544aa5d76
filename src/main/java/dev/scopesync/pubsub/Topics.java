package dev.scopesync.pubsub;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * OPAL's topic names (OPAL-CLIENT.md §3, DESIGN §12). A scope-mode client of scope {@code S}
 * subscribes to {@code S:policy:.} and {@code S:data:<t>}; OPAL's non-scoped client (no {@code
 * OPAL_SCOPE_ID}), served from the scope named {@code default}, subscribes to {@code policy:.} and
 * to its {@code OPAL_DATA_TOPICS} as they are ({@code policy_data}).
 *
 * <p>Data topics are hierarchical and the publisher expands them (OPAL's {@code get_topic_combos}):
 * {@code policy_data/users} is published on {@code policy_data} and {@code policy_data/users}.
 * Scope prefixing is idempotent (OPAL-CLIENT.md §10.1): {@code S:data:x} stays, {@code data:x}
 * becomes {@code S:data:x}, {@code x} becomes {@code S:data:x}.
 *
 * <p>Stateless; thread-safe.
 */
public final class Topics {
  /** The scope OPAL's non-scoped clients are served from. */
  public static final String DEFAULT_SCOPE = "default";

  /** OPAL's {@code DEFAULT_DATA_TOPIC}: an entry without {@code topics} has this one. */
  public static final String DEFAULT_DATA_TOPIC = "policy_data";

  static final String POLICY = "policy:";
  static final String DATA = "data:";

  private Topics() {}

  /** The topics a policy change of {@code scopeId} in {@code directories} is notified on. */
  public static List<String> policyTopics(String scopeId, Collection<String> directories) {
    String prefix = DEFAULT_SCOPE.equals(scopeId) ? POLICY : scopeId + ":" + POLICY;
    return directories.stream().map(dir -> prefix + dir).toList();
  }

  /**
   * The topics one data entry topic of {@code scopeId} is notified on, which are also the topics
   * the entry must carry for a client to apply it: every {@code /}-prefix, scope-prefixed. For the
   * {@code default} scope, both the plain form a non-scoped OPAL client subscribes to ({@code
   * policy_data}) and the {@code data:} form.
   */
  public static List<String> dataTopics(String scopeId, String entryTopic) {
    List<String> combos = combos(baseOf(scopeId, entryTopic));
    if (DEFAULT_SCOPE.equals(scopeId)) {
      List<String> both = new ArrayList<>(combos);
      combos.forEach(c -> both.add(DATA + c));
      return both;
    }
    return combos.stream().map(c -> scopeId + ":" + DATA + c).toList();
  }

  /**
   * Every entry topic of a data update or data config, expanded; in first-seen order, no repeats.
   */
  public static List<String> dataTopics(String scopeId, List<String> entryTopics) {
    Set<String> topics = new LinkedHashSet<>();
    entryTopics.forEach(t -> topics.addAll(dataTopics(scopeId, t)));
    return List.copyOf(topics);
  }

  /**
   * The entries of a data update or data config with their {@code topics} as the scope's clients
   * need them ({@link #dataTopics(String, List)}); an entry without {@code topics} has OPAL's
   * default, {@code policy_data}. The given entries are not changed.
   */
  public static JsonArray scopedEntries(String scopeId, JsonArray entries) {
    JsonArray out = new JsonArray();
    for (Object item : entries) {
      if (!(item instanceof JsonObject entry)) {
        out.add(item);
        continue;
      }
      JsonObject copy = entry.copy();
      Object topics = entry.getValue("topics");
      List<String> given =
          topics instanceof JsonArray list
              ? list.stream().filter(String.class::isInstance).map(String.class::cast).toList()
              : List.of(DEFAULT_DATA_TOPIC);
      copy.put("topics", new JsonArray(new ArrayList<>(dataTopics(scopeId, given))));
      out.add(copy);
    }
    return out;
  }

  /** A data config ({@code {"entries": [...]}}) with its entries' topics scoped. */
  public static JsonObject scopedDataConfig(String scopeId, JsonObject data) {
    JsonObject copy = data.copy();
    if (data.getValue("entries") instanceof JsonArray entries) {
      copy.put("entries", scopedEntries(scopeId, entries));
    }
    return copy;
  }

  /** The topic without this scope's {@code S:data:} or OPAL's {@code data:} prefix. */
  private static String baseOf(String scopeId, String topic) {
    String scoped = scopeId + ":" + DATA;
    if (topic.startsWith(scoped)) {
      return topic.substring(scoped.length());
    }
    return topic.startsWith(DATA) ? topic.substring(DATA.length()) : topic;
  }

  /**
   * OPAL's {@code get_topic_combos}: the part after the last {@code :} is split on {@code /} and
   * every prefix is kept, each behind what came before that {@code :}.
   */
  static List<String> combos(String topic) {
    int colon = topic.lastIndexOf(':');
    // An empty prefix (":x") is dropped, as OPAL's `if prefix:` drops it.
    String head = colon > 0 ? topic.substring(0, colon + 1) : "";
    String[] parts = topic.substring(colon + 1).split("/", -1);
    List<String> combos = new ArrayList<>(parts.length);
    StringBuilder current = new StringBuilder(head);
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        current.append('/');
      }
      current.append(parts[i]);
      combos.add(current.toString());
    }
    return combos;
  }
}
