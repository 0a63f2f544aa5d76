package dev.scopesync.fetcher;

import dev.scopesync.shard.Placement;
import dev.scopesync.shard.Placement.Member;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * This node's role for each source (SHARDING.md §3.3): <em>owner</em> in the adopted view,
 * <em>holder</em> (a clone it no longer owns, kept until the owners are ready), or none. With
 * {@code cluster.replicas} 0 every node owns every source, as before sharding.
 *
 * <p>Read on the fetcher's context; the view it reads is swapped whole by {@link FetcherMembers}.
 */
final class SourceRoles {
  private final FetcherMembers members;
  private final int replicas;
  private final Set<String> held;
  private final SourceCounts acquiring;
  private final SourceCounts unseeded;

  /**
   * @param held the sources with a clone here
   * @param acquiring the sources being cloned or seeded for a view: held, not ready yet
   * @param unseeded the scopes being acquired whose refs are not seeded yet
   */
  SourceRoles(
      FetcherMembers members,
      int replicas,
      Set<String> held,
      SourceCounts acquiring,
      SourceCounts unseeded) {
    this.members = members;
    this.replicas = replicas;
    this.held = held;
    this.acquiring = acquiring;
    this.unseeded = unseeded;
  }

  boolean sharded() {
    return replicas > 0;
  }

  /** Whether this node owns the source in its view (always, unsharded). */
  boolean owns(String sourceId) {
    return !sharded() || isOwner(members.placement(), sourceId);
  }

  /** Whether this node is the source's primary, the one node that announces its changes. */
  boolean primary(String sourceId) {
    Member primary = members.placement().primary(sourceId);
    return primary != null && primary.name().equals(members.ownName());
  }

  /**
   * Whether a sync of the source runs here: as owner or holder. A frozen node clones nothing new;
   * it keeps what it holds.
   */
  boolean runsHere(String sourceId) {
    if (!sharded() || held.contains(sourceId)) {
      return true;
    }
    return members.frozen() == null && owns(sourceId);
  }

  /** Whether a sync of a source this node owns is held back only because the node is frozen. */
  boolean frozenOut(String sourceId) {
    return sharded() && members.frozen() != null && !held.contains(sourceId) && owns(sourceId);
  }

  /**
   * Whether the scope's changes go unannounced here for now: it is being acquired and its ref is
   * not seeded yet (its syncs compare against nothing the cluster announced).
   */
  boolean silent(String scopeId) {
    return unseeded.contains(scopeId);
  }

  /**
   * Whether this node became the source's primary with the last view and holds it ready: it
   * compares the source's scopes once, to announce what the previous primary did not.
   */
  boolean promoted(String sourceId) {
    Placement previous = members.previous();
    if (!sharded() || previous == null || !ready(sourceId) || !primary(sourceId)) {
      return false;
    }
    Member before = previous.primary(sourceId);
    return before == null || !before.name().equals(members.ownName());
  }

  /** Whether this node answers the source's bundles from its own clone. */
  boolean ready(String sourceId) {
    return held.contains(sourceId) && !acquiring.contains(sourceId);
  }

  /**
   * Where a bundle of the source is asked for when this node is not ready (SHARDING.md §3.4): the
   * primary, the co-owners, then the previous view's owners that are no longer owners; never this
   * node.
   */
  List<Member> candidates(String sourceId) {
    Set<Member> all = new LinkedHashSet<>(members.placement().owners(sourceId, replicas));
    all.addAll(previousOwners(sourceId));
    return others(all);
  }

  /** The previous view's owners of the source other than this node: whom a new owner asks. */
  List<Member> previousOwners(String sourceId) {
    Placement previous = members.previous();
    return previous == null ? List.of() : others(previous.owners(sourceId, replicas));
  }

  /**
   * Whom a new owner asks for a source's refs, most likely holder first: the previous view's
   * owners, the co-owners, then every other member (a node that joined has no previous view of its
   * own, and the holder it replaces is no owner any more).
   */
  List<Member> holdersMaybe(String sourceId) {
    Set<Member> all = new LinkedHashSet<>(previousOwners(sourceId));
    all.addAll(otherOwners(sourceId));
    all.addAll(others(members.placement().members()));
    return new ArrayList<>(all);
  }

  /**
   * Whether a sync of the source goes through an acquisition: owned here and not frozen, and not
   * held or being acquired now (a scope that arrives meanwhile joins it, to be seeded too).
   */
  boolean toAcquire(String sourceId) {
    return sharded()
        && members.frozen() == null
        && (!held.contains(sourceId) || acquiring.contains(sourceId))
        && owns(sourceId);
  }

  /** Whether the source is being acquired here now. */
  boolean acquiring(String sourceId) {
    return acquiring.contains(sourceId);
  }

  /** The current owners of the source other than this node: whom a releasing holder asks. */
  List<Member> otherOwners(String sourceId) {
    return others(members.placement().owners(sourceId, replicas));
  }

  private List<Member> others(Iterable<Member> all) {
    String me = members.ownName();
    List<Member> out = new ArrayList<>();
    for (Member member : all) {
      if (!member.name().equals(me)) {
        out.add(member);
      }
    }
    return out;
  }

  private boolean isOwner(Placement placement, String sourceId) {
    String me = members.ownName();
    for (Member member : placement.owners(sourceId, replicas)) {
      if (member.name().equals(me)) {
        return true;
      }
    }
    return false;
  }
}
