package dev.scopesync.scope;

import dev.scopesync.bus.ClusterView;
import dev.scopesync.bus.DeleteOrder;
import dev.scopesync.bus.FetcherOrders;
import dev.scopesync.bus.SyncOrder;
import dev.scopesync.model.Scope;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * What the scope verticle tells the fetchers (DESIGN §1, §13): which scopes to sync and which were
 * deleted. Never one message for every scope: orders go out {@link #CHUNK} scopes at a time, so a
 * boot, a poll, a refresh of all or a push to a repository thousands of scopes use is never a
 * multi-megabyte publish in a cluster.
 */
final class SyncOrders {
  /** Scopes per sync message. */
  static final int CHUNK = 500;

  private final Vertx vertx;
  private final FetcherOrders fetchers;
  private final Function<Scope, String> sourceIdOf;
  private final BooleanSupplier stopped;

  SyncOrders(Vertx vertx, Function<Scope, String> sourceIdOf, BooleanSupplier stopped) {
    this.vertx = vertx;
    this.fetchers = FetcherOrders.of(vertx);
    this.sourceIdOf = sourceIdOf;
    this.stopped = stopped;
  }

  /**
   * Asks every node's fetcher to sync these scopes; this node announces the change. A batch syncs
   * one scope per source with a forced fetch first and the others without fetching (DESIGN §3); a
   * chunk after the first fetches only if no fetch followed the request.
   */
  void everywhere(
      List<Scope> scopes, boolean forceFetch, String hintedHash, long requestedAt, boolean batch) {
    String announcer = ClusterView.of(vertx).nodeId();
    for (List<Scope> chunk : chunks(scopes)) {
      fetchers.syncEverywhere(
          order(chunk, forceFetch, hintedHash, requestedAt, batch, false).withAnnouncer(announcer));
    }
  }

  /**
   * After a put that replaced {@code previous} (null: a new scope) with {@code now}: when the scope
   * moved to another source, every node's fetcher is told it left the old one, whose clone may now
   * be unused.
   */
  void replaced(Scope previous, Scope now) {
    if (moved(previous, now)) {
      deleted(previous.scopeId(), sourceIdOf.apply(previous));
    }
  }

  /** As {@link #replaced}, to this node's fetcher only: what each node's own reconcile found. */
  void replacedHere(Scope previous, Scope now) {
    if (moved(previous, now)) {
      deletedHere(previous.scopeId(), sourceIdOf.apply(previous));
    }
  }

  private boolean moved(Scope previous, Scope now) {
    return previous != null && !sourceIdOf.apply(previous).equals(sourceIdOf.apply(now));
  }

  /** Tells every node's fetcher that a scope left a source (deleted, or moved elsewhere). */
  void deleted(String scopeId, String sourceId) {
    fetchers.deleteEverywhere(new DeleteOrder(scopeId, sourceId));
  }

  /** As {@link #deleted}, to this node's fetcher only: what each node's own reconcile found. */
  void deletedHere(String scopeId, String sourceId) {
    fetchers.deleteHere(new DeleteOrder(scopeId, sourceId));
  }

  /**
   * Syncs these scopes on this node only, {@link #CHUNK} at a time: what the node's reconcile found
   * changed in the store (a change, maybe a person's fix: never backed off).
   */
  Future<Void> here(List<Scope> scopes, long requestedAt) {
    return here(List.of(scopes), requestedAt, false);
  }

  /**
   * Syncs the chunks on this node one after the other (boot and polling are per node: each keeps
   * its own clones fresh): the fetcher's lanes stay full while no message ever holds every scope,
   * and a boot of many scopes never queues them all at once.
   */
  Future<Void> here(Iterable<List<Scope>> chunks, long requestedAt, boolean automatic) {
    return chained(
        chunks, chunk -> fetchers.syncHere(order(chunk, true, null, requestedAt, true, automatic)));
  }

  /**
   * Offers every scope to this node's fetcher, {@link #CHUNK} at a time, for it to acquire the
   * sources a new fetcher view gave it (sharded clusters).
   */
  Future<Void> offerHere(Iterable<List<Scope>> chunks) {
    return chained(chunks, chunk -> fetchers.acquireHere(order(chunk, true, null, 0, true, false)));
  }

  private Future<Void> chained(
      Iterable<List<Scope>> chunks, Function<List<Scope>, Future<Void>> send) {
    Future<Void> chain = Future.succeededFuture();
    for (List<Scope> group : chunks) {
      // A source with more than CHUNK scopes is cut too: its later pieces fetch only if no
      // fetch followed the request.
      for (List<Scope> chunk : chunks(group)) {
        chain =
            chain.compose(
                done ->
                    stopped.getAsBoolean() || chunk.isEmpty()
                        ? Future.succeededFuture()
                        : send.apply(chunk));
      }
    }
    return chain;
  }

  private SyncOrder order(
      List<Scope> scopes,
      boolean forceFetch,
      String hintedHash,
      long requestedAt,
      boolean batch,
      boolean automatic) {
    List<SyncOrder.Item> items = new ArrayList<>(scopes.size());
    for (Scope scope : scopes) {
      items.add(new SyncOrder.Item(scope.scopeId(), sourceIdOf.apply(scope)));
    }
    return new SyncOrder(
        items, forceFetch, hintedHash, Instant.ofEpochMilli(requestedAt), batch, automatic, null);
  }

  private static List<List<Scope>> chunks(List<Scope> scopes) {
    List<List<Scope>> chunks = new ArrayList<>();
    for (int i = 0; i < scopes.size(); i += CHUNK) {
      chunks.add(scopes.subList(i, Math.min(scopes.size(), i + CHUNK)));
    }
    return chunks;
  }
}
