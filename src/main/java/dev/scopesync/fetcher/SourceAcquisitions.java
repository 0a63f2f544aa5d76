package dev.scopesync.fetcher;

import dev.scopesync.bus.Failures;
import dev.scopesync.bus.PeerFetchers;
import dev.scopesync.bus.SyncOrder;
import dev.scopesync.git.SourceSync;
import dev.scopesync.shard.Placement.Member;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Acquires the sources a new view gave this node (SHARDING.md §3.5, §3.6), from the chunks of every
 * scope the scope verticle offers: for each source owned here and not held, its scopes are synced
 * <em>silently</em> (a clone, no announcement), their refs are <em>seeded</em> from a node that
 * held the source ready (the previous view's owners, then the co-owners), and the primary then
 * compares, announcing only what the previous holder had not announced. When no holder answers (a
 * crash with R = 1) the refs are dropped, so the primary announces each scope as first seen, as a
 * fresh node does. Until all that is done the source is <em>acquiring</em>: not ready, so its
 * bundles are still asked of the others.
 *
 * <p>Also answers the others' questions about this node's clones: which sources are ready, and a
 * source's scope refs. Used from the fetcher's context only.
 */
final class SourceAcquisitions {
  private final Vertx vertx;
  private final ScopeSyncs.Parts parts;
  private final ScopeSyncs syncs;
  private final SourceRoles roles;
  private final FetcherMembers members;
  private final Set<String> acquiring;
  private final long timeoutMillis;

  /** Sources acquired in this offer round: their later chunks join the acquisition. */
  private final Set<String> thisRound = new HashSet<>();

  private Instant roundStarted = Instant.now();
  private int inFlight;

  SourceAcquisitions(
      Vertx vertx,
      ScopeSyncs.Parts parts,
      ScopeSyncs syncs,
      SourceRoles roles,
      FetcherMembers members,
      Set<String> acquiring,
      long timeoutMillis) {
    this.vertx = vertx;
    this.parts = parts;
    this.syncs = syncs;
    this.roles = roles;
    this.members = members;
    this.acquiring = acquiring;
    this.timeoutMillis = timeoutMillis;
  }

  /** A new offer of every scope begins. */
  void newRound() {
    thisRound.clear();
    roundStarted = Instant.now();
  }

  /** Chunks being acquired now. */
  int inFlight() {
    return inFlight;
  }

  /**
   * Acquires the sources of a chunk (offered after a view change, or an order's items) that this
   * node owns and does not hold; completes when done.
   */
  Future<Void> acquire(SyncOrder chunk) {
    if (!roles.sharded() || members.frozen() != null) {
      return Future.succeededFuture();
    }
    Set<String> held = parts.clonedSources();
    Map<String, List<String>> bySource = new LinkedHashMap<>();
    List<SyncOrder.Item> items = new ArrayList<>();
    for (SyncOrder.Item item : chunk.scopes()) {
      String sourceId = item.sourceId();
      if (roles.owns(sourceId) && (!held.contains(sourceId) || thisRound.contains(sourceId))) {
        bySource.computeIfAbsent(sourceId, id -> new ArrayList<>()).add(item.scopeId());
        items.add(item);
      }
    }
    if (items.isEmpty()) {
      return Future.succeededFuture();
    }
    thisRound.addAll(bySource.keySet());
    acquiring.addAll(bySource.keySet());
    inFlight++;
    // An offered chunk was asked for when the round began (a source's later chunks do not fetch
    // again); a push's or a put's order keeps its own time and hint.
    Instant asked =
        chunk.requestedAt() == null || chunk.requestedAt().toEpochMilli() == 0
            ? roundStarted
            : chunk.requestedAt();
    SyncOrder quiet = new SyncOrder(items, true, chunk.hintedHash(), asked, true, false, null);
    return syncs
        .runQuietly(quiet)
        .compose(
            cloned ->
                Future.join(
                    bySource.entrySet().stream().map(e -> seed(e.getKey(), e.getValue())).toList()))
        .compose(
            seeded -> {
              List<SyncOrder.Item> compared =
                  items.stream()
                      .filter(i -> held.contains(i.sourceId()) && roles.primary(i.sourceId()))
                      .toList();
              return syncs.run(
                  new SyncOrder(compared, false, null, null, false, false, null), true);
            })
        .onComplete(
            done -> {
              acquiring.removeAll(bySource.keySet());
              inFlight--;
            })
        .mapEmpty();
  }

  /** Seeds a new clone's scope refs from the first node that holds the source ready. */
  private Future<Void> seed(String sourceId, List<String> scopeIds) {
    if (!parts.clonedSources().contains(sourceId)) {
      return Future.succeededFuture(); // the clone failed; its sync said why
    }
    SourceSync sync = parts.sync();
    return refsFrom(roles.holdersMaybe(sourceId), 0, sourceId, scopeIds)
        .compose(
            refs ->
                parts
                    .queues()
                    .submit(
                        sourceId,
                        () ->
                            parts
                                .git()
                                .run(
                                    () -> {
                                      sync.seedScopeRefs(
                                          sourceId, scopeIds, refs == null ? Map.of() : refs);
                                      return null;
                                    })))
        .mapEmpty();
  }

  private Future<Map<String, String>> refsFrom(
      List<Member> from, int i, String sourceId, List<String> scopeIds) {
    if (i >= from.size()) {
      return Future.succeededFuture(null);
    }
    return PeerFetchers.at(vertx, from.get(i).nodeId(), timeoutMillis)
        .refs(sourceId, scopeIds)
        .recover(e -> refsFrom(from, i + 1, sourceId, scopeIds));
  }

  /** Of these sources, the ones held here ready (asked by a releasing holder). */
  Future<Set<String>> ready(List<String> sourceIds) {
    Set<String> ready = new HashSet<>();
    for (String sourceId : sourceIds) {
      if (roles.ready(sourceId)) {
        ready.add(sourceId);
      }
    }
    return Future.succeededFuture(ready);
  }

  /** A source's scope refs in this node's ready clone (asked by a new owner); 404 without one. */
  Future<Map<String, String>> refs(String sourceId, List<String> scopeIds) {
    if (!roles.ready(sourceId)) {
      return Future.failedFuture(
          Failures.of(Failures.NOT_FOUND, "no ready clone of " + sourceId + " here"));
    }
    SourceSync sync = parts.sync();
    return parts
        .queues()
        .submit(sourceId, () -> parts.git().run(() -> sync.scopeRefs(sourceId, scopeIds)));
  }
}
