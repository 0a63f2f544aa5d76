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
 * bundles are still asked of the others. An offered scope of a source this node already holds and
 * has just become primary of is compared once, without a fetch: the new primary announces what the
 * old one fetched and never did.
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
  private final SourceCounts acquiring;
  private final SourceCounts unseeded;
  private final long timeoutMillis;

  /** Sources acquired in this offer round: their later chunks join the acquisition. */
  private final Set<String> thisRound = new HashSet<>();

  static final long REFS_TIMEOUT_MILLIS = 10_000;

  private Instant roundStarted = Instant.now();
  private int inFlight;

  SourceAcquisitions(
      Vertx vertx,
      ScopeSyncs.Parts parts,
      ScopeSyncs syncs,
      SourceRoles roles,
      FetcherMembers members,
      SourceCounts acquiring,
      SourceCounts unseeded,
      long timeoutMillis) {
    this.vertx = vertx;
    this.parts = parts;
    this.syncs = syncs;
    this.roles = roles;
    this.members = members;
    this.acquiring = acquiring;
    this.unseeded = unseeded;
    this.timeoutMillis = timeoutMillis;
  }

  /** A new offer of every scope begins. */
  void newRound() {
    endRound();
    roundStarted = Instant.now();
  }

  /**
   * The offer is over: the sources it acquired may be ready now. Until then each stays acquiring,
   * so that between two chunks of a source with many scopes no holder lets go of it.
   */
  void endRound() {
    for (String sourceId : thisRound) {
      acquiring.remove(sourceId);
    }
    if (!thisRound.isEmpty()) {
      parts.bundles().readyChanged();
    }
    thisRound.clear();
  }

  /** Chunks being acquired now. */
  int inFlight() {
    return inFlight;
  }

  /** A chunk of every scope, offered after a view change; completes when it is acquired. */
  Future<Void> offered(SyncOrder chunk) {
    return acquire(chunk, true);
  }

  /** An order's items whose sources this node owns and does not hold; completes when done. */
  Future<Void> acquire(SyncOrder order) {
    return acquire(order, false);
  }

  private Future<Void> acquire(SyncOrder chunk, boolean offered) {
    if (!roles.sharded() || members.frozen() != null) {
      return Future.succeededFuture();
    }
    Set<String> held = parts.clonedSources();
    Map<String, List<String>> bySource = new LinkedHashMap<>();
    List<SyncOrder.Item> items = new ArrayList<>();
    List<SyncOrder.Item> promoted = new ArrayList<>();
    for (SyncOrder.Item item : chunk.scopes()) {
      String sourceId = item.sourceId();
      if (roles.toAcquire(sourceId)) {
        bySource.computeIfAbsent(sourceId, id -> new ArrayList<>()).add(item.scopeId());
        items.add(item);
      } else if (offered && roles.promoted(sourceId)) {
        promoted.add(item);
      }
    }
    Future<Void> promotion =
        promoted.isEmpty()
            ? Future.succeededFuture()
            // A new primary compares without fetching: it announces what the old one fetched
            // and never announced (its refs follow the announcements, SHARDING.md §3.5).
            : syncs.runSeeded(new SyncOrder(promoted, false, null, null, false, false, null));
    if (items.isEmpty()) {
      return promotion;
    }
    for (String sourceId : bySource.keySet()) {
      if (offered && thisRound.add(sourceId)) {
        acquiring.add(sourceId); // the round's hold, until endRound
      }
      acquiring.add(sourceId);
    }
    for (SyncOrder.Item item : items) {
      unseeded.add(item.scopeId());
    }
    inFlight++;
    // An offered chunk was asked for when the round began (a source's later chunks do not fetch
    // again); a push's or a put's order keeps its own time and hint.
    Instant asked = offered ? roundStarted : chunk.requestedAt();
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
              return syncs.runSeeded(
                  new SyncOrder(compared, false, null, null, false, false, null));
            })
        .onComplete(
            done -> {
              for (String sourceId : bySource.keySet()) {
                acquiring.remove(sourceId);
              }
              parts.bundles().readyChanged();
              inFlight--;
            })
        .eventually(() -> promotion);
  }

  /** Seeds a new clone's scope refs from the first node that holds the source ready. */
  private Future<Void> seed(String sourceId, List<String> scopeIds) {
    if (!parts.clonedSources().contains(sourceId)) {
      scopeIds.forEach(unseeded::remove);
      return Future.succeededFuture(); // the clone failed; its sync said why
    }
    SourceSync sync = parts.sync();
    return refsFrom(roles.holdersMaybe(sourceId), 0, sourceId, scopeIds)
        .compose(
            refs ->
                parts.inQueue(
                    sourceId,
                    () -> {
                      sync.refs().seed(sourceId, scopeIds, refs == null ? Map.of() : refs);
                      return null;
                    },
                    seeded -> {}))
        .onComplete(seeded -> scopeIds.forEach(unseeded::remove))
        .mapEmpty();
  }

  private Future<Map<String, String>> refsFrom(
      List<Member> from, int i, String sourceId, List<String> scopeIds) {
    if (i >= from.size()) {
      return Future.succeededFuture(null);
    }
    // Longer than a bundle's forward: the holder reads the refs on its git pool.
    return PeerFetchers.at(
            vertx, from.get(i).nodeId(), Math.max(timeoutMillis, REFS_TIMEOUT_MILLIS))
        .refs(sourceId, scopeIds)
        .recover(e -> refsFrom(from, i + 1, sourceId, scopeIds));
  }

  /**
   * Of these sources, the ones this node owns and holds ready (asked by a releasing holder: a node
   * that is releasing a source itself never confirms it).
   */
  Future<Set<String>> ready(List<String> sourceIds) {
    Set<String> ready = new HashSet<>();
    for (String sourceId : sourceIds) {
      if (roles.owns(sourceId) && roles.ready(sourceId)) {
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
    // Not behind the source's queue: a fetch in it must not make the new owner give up waiting.
    // Reading refs while a fetch writes others is safe.
    SourceSync sync = parts.sync();
    return parts.git().run(() -> sync.refs().of(sourceId, scopeIds));
  }
}
