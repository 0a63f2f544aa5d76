package dev.scopesync.fetcher;

import dev.scopesync.bus.PeerFetchers;
import dev.scopesync.bus.ScopeQueries;
import dev.scopesync.config.ShardSettings;
import dev.scopesync.metrics.ServerMetrics;
import dev.scopesync.shard.Placement.Member;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Make-before-break rebalancing (SHARDING.md §3.6), run after every adopted view. A source this
 * node holds but no longer owns is <em>releasing</em>: it keeps being fetched and served, and every
 * {@link #CHECK_MILLIS} its owners are asked whether they hold it ready; once all of them do (or
 * after {@code cluster.releaseTimeoutSeconds}, with a WARN), it is purged in its queue, exactly as
 * a delete purges, if it is still not owned there. Sources the view gave this node are acquired by
 * {@link SourceAcquisitions}, from every scope the scope verticle offers.
 *
 * <p>A frozen node (SHARDING.md §3.1) acquires and releases nothing. The walk over the held sources
 * goes in slices of {@link #SLICE}, each on its own turn of the event loop, so a view change over
 * 100,000 sources blocks nothing.
 *
 * <p>Used from the fetcher's context only.
 */
final class Rebalancer {
  private static final Logger LOG = LoggerFactory.getLogger(Rebalancer.class);
  static final long CHECK_MILLIS = 2000;
  static final int SLICE = 2000;

  /** The most sources one ready question names. */
  static final int MAX_ASKED = 500;

  private final Vertx vertx;
  private final ShardSettings settings;
  private final FetcherMembers members;
  private final SourceRoles roles;
  private final Set<String> held;
  private final SourcePurges purges;
  private final SourceAcquisitions acquisitions;
  private final ScopeQueries scopes;
  private final ServerMetrics metrics;

  /** sourceId → when it started releasing (nanos). */
  private final Map<String, Long> releasing = new HashMap<>();

  /** Releasing sources whose purge is queued: asked about no more. */
  private final Set<String> purging = new HashSet<>();

  private long timer = -1;
  private long walk;
  private boolean checking;
  private boolean offering;
  private boolean offerAgain;
  private long changedAtNanos = -1;

  Rebalancer(
      Vertx vertx,
      ShardSettings settings,
      FetcherMembers members,
      SourceRoles roles,
      Set<String> held,
      SourcePurges purges,
      SourceAcquisitions acquisitions,
      ScopeQueries scopes,
      ServerMetrics metrics) {
    this.vertx = vertx;
    this.settings = settings;
    this.members = members;
    this.roles = roles;
    this.held = held;
    this.purges = purges;
    this.acquisitions = acquisitions;
    this.scopes = scopes;
    this.metrics = metrics;
  }

  void start() {
    if (roles.sharded()) {
      timer = vertx.setPeriodic(CHECK_MILLIS, id -> checkReleases());
    }
  }

  void stop() {
    vertx.cancelTimer(timer);
  }

  /**
   * A clone was made for a source this node does not own (the view moved while it was made): it is
   * released like any other.
   */
  void heldNotOwned(String sourceId) {
    if (roles.sharded() && !roles.owns(sourceId)) {
      releasing.putIfAbsent(sourceId, System.nanoTime());
    }
  }

  /** Sources this node still holds for owners that are not ready yet. */
  int releasing() {
    return releasing.size();
  }

  /** A view was adopted (or the node thawed): find what to release, offer scopes to acquire. */
  void viewChanged() {
    if (!roles.sharded() || members.frozen() != null) {
      return;
    }
    if (changedAtNanos < 0) {
      changedAtNanos = System.nanoTime();
    }
    heldChecked();
    long grace = settings.leaveGraceSeconds();
    if (grace > 0 && aMemberLeft()) {
      // A short restart under the same name comes back before its sources are cloned elsewhere
      // (worth it with R >= 2: the co-owners serve meanwhile).
      LOG.info("a fetcher left: acquiring its sources in cluster.leaveGraceSeconds = {} s", grace);
      long thisWalk = walk;
      vertx.setTimer(
          grace * 1000,
          id -> {
            if (thisWalk == walk && members.frozen() == null) {
              offer();
            }
          });
      return;
    }
    offer();
  }

  private boolean aMemberLeft() {
    Set<String> now = new HashSet<>();
    for (Member member : members.placement().members()) {
      now.add(member.name());
    }
    for (Member member : members.previous().members()) {
      if (!now.contains(member.name())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Finds the held sources this node no longer owns (the first view at start: what the clones on
   * disk are; its acquisitions are the boot sync's own clones).
   */
  void heldChecked() {
    if (!roles.sharded() || members.frozen() != null) {
      return;
    }
    long thisWalk = ++walk;
    walkHeld(new ArrayList<>(held).iterator(), thisWalk);
  }

  private void walkHeld(Iterator<String> sources, long thisWalk) {
    if (thisWalk != walk) {
      return; // a newer view walks again
    }
    long now = System.nanoTime();
    for (int i = 0; i < SLICE && sources.hasNext(); i++) {
      String sourceId = sources.next();
      if (roles.owns(sourceId)) {
        releasing.remove(sourceId);
      } else {
        releasing.putIfAbsent(sourceId, now);
      }
    }
    if (sources.hasNext()) {
      vertx.runOnContext(next -> walkHeld(sources, thisWalk));
    }
  }

  private void offer() {
    if (offering) {
      offerAgain = true;
      return;
    }
    offering = true;
    acquisitions.newRound();
    scopes
        .offerScopes()
        .onFailure(e -> LOG.warn("scopes not offered for acquisition: {}", e.getMessage()))
        .onComplete(
            done -> {
              acquisitions.endRound();
              offering = false;
              if (offerAgain) {
                offerAgain = false;
                offer();
              } else {
                settledMaybe();
              }
            });
  }

  /** Asks the owners of the releasing sources which they hold ready; releases those all hold. */
  private void checkReleases() {
    if (checking || members.frozen() != null) {
      return;
    }
    if (releasing.isEmpty()) {
      settledMaybe();
      return;
    }
    checking = true;
    long now = System.nanoTime();
    long timeoutNanos = settings.releaseTimeoutSeconds() * 1_000_000_000L;
    Map<Member, List<String>> asked = new HashMap<>();
    Map<String, List<Member>> ownersOf = new HashMap<>();
    List<String> expired = new ArrayList<>();
    // A source deleted (or owned again) meanwhile is no longer releasing.
    releasing.keySet().removeIf(sourceId -> !held.contains(sourceId) || roles.owns(sourceId));
    long version = members.version();
    for (Map.Entry<String, Long> entry : releasing.entrySet()) {
      String sourceId = entry.getKey();
      if (purging.contains(sourceId)) {
        continue;
      }
      if (now - entry.getValue() >= timeoutNanos) {
        expired.add(sourceId);
        continue;
      }
      List<Member> owners = roles.otherOwners(sourceId);
      ownersOf.put(sourceId, owners);
      for (Member owner : owners) {
        asked.computeIfAbsent(owner, m -> new ArrayList<>()).add(sourceId);
      }
    }
    for (String sourceId : expired) {
      LOG.warn(
          "source_id={} released after cluster.releaseTimeoutSeconds = {} without its owners"
              + " confirming a ready clone",
          sourceId,
          settings.releaseTimeoutSeconds());
      release(sourceId, "released after the release timeout", -1);
    }
    List<Future<Set<String>>> answers = new ArrayList<>();
    List<Member> askedOwners = new ArrayList<>(asked.keySet());
    for (Member owner : askedOwners) {
      for (List<String> slice : slices(asked.get(owner), MAX_ASKED)) {
        answers.add(
            PeerFetchers.at(vertx, owner.nodeId(), settings.forwardTimeoutMillis())
                .ready(slice)
                .otherwise(Set.of()));
      }
    }
    Future.join(answers)
        .onComplete(
            all -> {
              checking = false;
              Map<String, Integer> confirmations = new HashMap<>();
              for (Future<Set<String>> answer : answers) {
                for (String sourceId : answer.result()) {
                  confirmations.merge(sourceId, 1, Integer::sum);
                }
              }
              for (Map.Entry<String, List<Member>> entry : ownersOf.entrySet()) {
                int owners = entry.getValue().size();
                if (owners > 0 && confirmations.getOrDefault(entry.getKey(), 0) == owners) {
                  release(entry.getKey(), "released: every owner holds it ready", version);
                }
              }
            });
  }

  /**
   * Purges a released source in its queue, if there it is still not owned, the node not frozen and
   * the view the owners confirmed in still the adopted one ({@code version} -1: any view).
   */
  private void release(String sourceId, String why, long version) {
    purging.add(sourceId);
    purges
        .release(
            sourceId,
            () ->
                !roles.owns(sourceId)
                    && members.frozen() == null
                    && (version < 0 || version == members.version()),
            why)
        .onComplete(
            done -> {
              purging.remove(sourceId);
              if (roles.owns(sourceId) || !held.contains(sourceId)) {
                releasing.remove(sourceId); // released, or owned again
              }
              settledMaybe();
            });
  }

  /** Records how long the last view change took once nothing is left to move. */
  private void settledMaybe() {
    if (changedAtNanos >= 0 && releasing.isEmpty() && !offering && acquisitions.inFlight() == 0) {
      metrics.shardRebalance(Duration.ofNanos(System.nanoTime() - changedAtNanos));
      changedAtNanos = -1;
    }
  }

  private static <T> List<List<T>> slices(List<T> all, int size) {
    List<List<T>> slices = new ArrayList<>();
    for (int i = 0; i < all.size(); i += size) {
      slices.add(all.subList(i, Math.min(all.size(), i + size)));
    }
    return slices;
  }
}
