package dev.scopesync.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one fetcher asks another in a sharded cluster (SHARDING.md §3.4–§3.6), at the per-node
 * addresses {@link Addresses#fetcherNode}: a forwarded bundle request, which sources a node holds
 * ready, and a source's scope refs. The fetcher implements {@link Node} and {@link #bind binds} it
 * under its own node id; {@link #at} asks another node. Each message is encoded and decoded here
 * only.
 */
public final class PeerFetchers {
  /** A bundle request forwarded by a node that holds no ready clone of the source. */
  static final String BUNDLE = "bundle";

  /** Which of these sources the node holds ready (a releasing holder asks the owners). */
  static final String READY = "ready";

  /** The scope refs of a source (a new owner seeds its clone from the previous holder). */
  static final String REFS = "refs";

  /** What a fetcher answers for the others. */
  public interface Node {
    /**
     * A bundle, answered from this node's ready clone, or failed (503) when it has none; a
     * forwarded request is never forwarded again.
     */
    Future<BundleReply> bundle(BundleQuery query);

    /** Of these sources, the ones this node holds ready. */
    Future<Set<String>> ready(List<String> sourceIds);

    /** The commit each scope's ref in this node's clone of the source points at (none: absent). */
    Future<Map<String, String>> refs(String sourceId, List<String> scopeIds);
  }

  private final Vertx vertx;
  private final String nodeId;
  private final long timeoutMillis;

  private PeerFetchers(Vertx vertx, String nodeId, long timeoutMillis) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.timeoutMillis = timeoutMillis;
  }

  /** The fetcher of node {@code nodeId}, each request failing after {@code timeoutMillis}. */
  public static PeerFetchers at(Vertx vertx, String nodeId, long timeoutMillis) {
    return new PeerFetchers(vertx, nodeId, timeoutMillis);
  }

  public Future<BundleReply> bundle(BundleQuery query) {
    return vertx
        .eventBus()
        .<Buffer>request(Addresses.fetcherNode(nodeId, BUNDLE), query.toJson(), options())
        .map(BundleReply::of);
  }

  public Future<Set<String>> ready(List<String> sourceIds) {
    return vertx
        .eventBus()
        .<JsonObject>request(
            Addresses.fetcherNode(nodeId, READY),
            new JsonObject().put("sources", new JsonArray(new ArrayList<>(sourceIds))),
            options())
        .map(reply -> new HashSet<>(strings(reply.body().getJsonArray("ready"))));
  }

  public Future<Map<String, String>> refs(String sourceId, List<String> scopeIds) {
    return vertx
        .eventBus()
        .<JsonObject>request(
            Addresses.fetcherNode(nodeId, REFS),
            new JsonObject()
                .put("source_id", sourceId)
                .put("scopes", new JsonArray(new ArrayList<>(scopeIds))),
            options())
        .map(
            reply -> {
              Map<String, String> refs = new HashMap<>();
              JsonObject found = reply.body().getJsonObject("refs", new JsonObject());
              for (String scopeId : found.fieldNames()) {
                if (found.getValue(scopeId) instanceof String commit) {
                  refs.put(scopeId, commit);
                }
              }
              return refs;
            });
  }

  private DeliveryOptions options() {
    return new DeliveryOptions().setSendTimeout(timeoutMillis);
  }

  /** Registers {@code node} at this node's addresses; the caller owns (unregisters) them. */
  public static List<MessageConsumer<?>> bind(Vertx vertx, String nodeId, Node node) {
    return List.of(
        vertx
            .eventBus()
            .<JsonObject>consumer(
                Addresses.fetcherNode(nodeId, BUNDLE),
                (Message<JsonObject> m) ->
                    Failures.handled(m, body -> node.bundle(BundleQuery.fromJson(body)))
                        .onSuccess(reply -> reply.replyTo(m))
                        .onFailure(e -> Failures.reply(m, e))),
        vertx
            .eventBus()
            .<JsonObject>consumer(
                Addresses.fetcherNode(nodeId, READY),
                m ->
                    Failures.handled(m, body -> node.ready(strings(body.getJsonArray("sources"))))
                        .onSuccess(
                            ready ->
                                m.reply(
                                    new JsonObject()
                                        .put("ready", new JsonArray(new ArrayList<>(ready)))))
                        .onFailure(e -> Failures.reply(m, e))),
        vertx
            .eventBus()
            .<JsonObject>consumer(
                Addresses.fetcherNode(nodeId, REFS),
                m ->
                    Failures.handled(
                            m,
                            body ->
                                body.getValue("source_id") instanceof String sourceId
                                    ? node.refs(sourceId, strings(body.getJsonArray("scopes")))
                                    : Future.failedFuture(
                                        Failures.of(Failures.BAD_REQUEST, "source_id missing")))
                        .onSuccess(
                            refs ->
                                m.reply(
                                    new JsonObject()
                                        .put(
                                            "refs",
                                            new JsonObject(new HashMap<String, Object>(refs)))))
                        .onFailure(e -> Failures.reply(m, e))));
  }

  private static List<String> strings(JsonArray array) {
    List<String> out = new ArrayList<>();
    if (array != null) {
      for (Object value : array) {
        if (value instanceof String s) {
          out.add(s);
        }
      }
    }
    return out;
  }
}
