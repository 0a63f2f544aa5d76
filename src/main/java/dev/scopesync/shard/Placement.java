package dev.scopesync.shard;

import dev.scopesync.digest.Sha256;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which fetcher nodes own a source (SHARDING.md §3.2): rendezvous (highest random weight) hashing
 * over the members' stable names. The owners of a source are the {@code replicas} members with the
 * highest {@code splitmix64(key(source) ^ key(name))}, ties broken by name; the first is the
 * primary, the only one that announces a change. A pure function of the member set and the source
 * id, so every node computes the same owners with nothing to replicate, a join moves only the
 * sources the joiner now wins and a leave only the leaver's.
 *
 * <p>With weights other than 1 the score is the straw2 form {@code -w / ln(u)}, {@code u} the score
 * as a fraction of 2⁶⁴; a member of weight 0 owns nothing.
 *
 * <p>Immutable and thread-safe; {@link #ownerIndexes} allocates nothing, for placing a million
 * sources in a view change.
 */
public final class Placement {
  /**
   * The algorithm's name in the members' fingerprint: nodes with another one never share a view.
   */
  public static final String ALGORITHM = "hrw-v1";

  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  /** One fetcher member: its stable name, its Vert.x node id, its weight (≥ 0). */
  public record Member(String name, String nodeId, double weight) {
    public Member {
      if (name == null || name.isEmpty()) {
        throw new IllegalArgumentException("a member needs a name");
      }
      if (!(weight >= 0) || Double.isInfinite(weight)) {
        throw new IllegalArgumentException(
            "member " + name + ": weight must be >= 0, got " + weight);
      }
    }

    public static Member of(String name) {
      return new Member(name, name, 1);
    }
  }

  private final List<Member> members;
  private final long[] nodeKeys;
  private final double[] weights;
  private final boolean weighted;

  private Placement(List<Member> members) {
    this.members = members;
    this.nodeKeys = new long[members.size()];
    this.weights = new double[members.size()];
    boolean anyWeight = false;
    for (int i = 0; i < members.size(); i++) {
      nodeKeys[i] = nodeKey(members.get(i).name());
      weights[i] = members.get(i).weight();
      anyWeight |= weights[i] != 1;
    }
    this.weighted = anyWeight;
  }

  /** The placement over these members (any order; two members may not share a name). */
  public static Placement of(Collection<Member> members) {
    List<Member> sorted = new ArrayList<>(members);
    sorted.sort(Comparator.comparing(Member::name));
    Set<String> names = new HashSet<>();
    for (Member m : sorted) {
      if (!names.add(m.name())) {
        throw new IllegalArgumentException("two members are named " + m.name());
      }
    }
    return new Placement(List.copyOf(sorted));
  }

  /**
   * What nodes must agree on to share a view (SHARDING.md §3.1): the algorithm, R and {@code
   * git.cloneShards} (which shapes the source ids). 16 hex characters.
   */
  public static String fingerprint(int replicas, int cloneShards) {
    return Sha256.hex(ALGORITHM + "|" + replicas + "|" + cloneShards).substring(0, 16);
  }

  /** The members, sorted by name. */
  public List<Member> members() {
    return members;
  }

  /**
   * The owners of a source, primary first. {@code replicas} 0, or at least the number of members
   * (of weight above 0), means every such member, still in rank order.
   */
  public List<Member> owners(String sourceId, int replicas) {
    int[] indexes = new int[members.size()];
    int n = ownerIndexes(sourceKey(sourceId), replicas, indexes);
    List<Member> owners = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      owners.add(members.get(indexes[i]));
    }
    return owners;
  }

  /** The primary owner of a source, or null when no member can own anything. */
  public Member primary(String sourceId) {
    List<Member> owners = owners(sourceId, 1);
    return owners.isEmpty() ? null : owners.get(0);
  }

  /**
   * Writes the indexes (into {@link #members}) of a source's owners, primary first, into {@code
   * into} (at least as long as the member list) and answers how many there are. Allocation-free.
   */
  public int ownerIndexes(long sourceKey, int replicas, int[] into) {
    if (replicas < 0) {
      throw new IllegalArgumentException("replicas must be >= 0, got " + replicas);
    }
    int size = members.size();
    int wanted = replicas == 0 ? size : Math.min(replicas, size);
    int found = 0;
    // Insertion into the sorted prefix `into[0, found)`, at most `wanted` long: R is small (1 to 3)
    // in practice. Scores are recomputed rather than kept, so nothing is allocated.
    for (int i = 0; i < size; i++) {
      if (weights[i] == 0) {
        continue;
      }
      long score = score(sourceKey, i);
      int at = found;
      // Strictly greater: equal scores keep name order (members are sorted by name).
      while (at > 0 && score > score(sourceKey, into[at - 1])) {
        at--;
      }
      if (at >= wanted) {
        continue;
      }
      int last = Math.min(found, wanted - 1);
      System.arraycopy(into, at, into, at + 1, last - at);
      into[at] = i;
      found = Math.min(found + 1, wanted);
    }
    return found;
  }

  /**
   * A source's key: the first 64 bits of the sha-256 hex a source id starts with, mixed with its
   * shard suffix ({@code <64 hex>-<shard>}, see {@code model.SourceId}).
   */
  public static long sourceKey(String sourceId) {
    int dash = sourceId.lastIndexOf('-');
    if (dash < 16) {
      throw new IllegalArgumentException("not a source id: " + sourceId);
    }
    long hash = Long.parseUnsignedLong(sourceId, 0, 16, 16);
    long shard = Long.parseLong(sourceId, dash + 1, sourceId.length(), 10);
    return splitmix64(hash ^ splitmix64(shard + GOLDEN));
  }

  /** A member's key: the first 64 bits of sha-256("scopesync-node:" + name). */
  public static long nodeKey(String name) {
    byte[] digest = Sha256.of("scopesync-node:" + name);
    long key = 0;
    for (int i = 0; i < 8; i++) {
      key = (key << 8) | (digest[i] & 0xff);
    }
    return key;
  }

  /** SplitMix64's finaliser (Steele, Lea, Flood 2014): a bijection that spreads every input bit. */
  static long splitmix64(long x) {
    long z = x + GOLDEN;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * Member {@code i}'s score for a source, as a long that orders as the score does: the raw score
   * as unsigned, or with weights the straw2 score (positive, so its bits order alike).
   */
  private long score(long sourceKey, int i) {
    long raw = splitmix64(sourceKey ^ nodeKeys[i]);
    return weighted ? Double.doubleToRawLongBits(straw2(raw, weights[i])) : raw ^ Long.MIN_VALUE;
  }

  /** The straw2 score {@code -w / ln(u)} of a raw score, u in (0, 1). */
  private static double straw2(long raw, double weight) {
    double u = ((raw >>> 11) + 0.5) / (1L << 53);
    return -weight / Math.log(u);
  }

  @Override
  public String toString() {
    return "Placement" + Arrays.toString(members.stream().map(Member::name).toArray());
  }
}
