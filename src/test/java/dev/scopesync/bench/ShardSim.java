package dev.scopesync.bench;

import dev.scopesync.model.SourceId;
import dev.scopesync.shard.Placement;
import dev.scopesync.shard.Placement.Member;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

/**
 * SHARDING.md §4.4: 1,000,000 sources with real source-id form placed over 10 nodes by {@link
 * Placement}, R = 1..3. Prints clones per node max/mean, the share of placements a join (10 → 11)
 * and a leave (10 → 9) move, what a restart under the same name and under a new random name moves,
 * and the time to place every source on one core (best of 5, after a warm-up).
 *
 * <p>Usage: {@code ShardSim [sources] [nodes]}.
 */
public final class ShardSim {
  private ShardSim() {}

  public static void main(String[] args) {
    int sources = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int nodes = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    long[] keys = new long[sources];
    for (int i = 0; i < sources; i++) {
      // Real source ids: sha-256 of a url, and the branch's shard suffix (git.cloneShards = 4).
      String url = "https://git.example.com/org-" + (i % 997) + "/repo-" + i + ".git";
      keys[i] = Placement.sourceKey(SourceId.of(url, i % 3 == 0 ? "main" : "release", 4));
    }
    List<Member> base = members(nodes, "node-");
    System.out.printf(
        "## Placement simulation: %,d sources over %d nodes (rendezvous, %s)%n%n",
        sources, nodes, Placement.ALGORITHM);
    System.out.println(
        "| R | clones/node max/mean (min/mean) | join → "
            + (nodes + 1)
            + " moved | leave → "
            + (nodes - 1)
            + " moved | restart, same name | restart, new name | place all (1 core) |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (int r = 1; r <= 3; r++) {
      Placement placement = Placement.of(base);
      int[][] owners = place(placement, keys, r);
      int[] perNode = new int[nodes];
      for (int[] o : owners) {
        for (int n : o) {
          perNode[n]++;
        }
      }
      double mean = sources * (double) r / nodes;
      int max = IntStream.of(perNode).max().orElse(0);
      int min = IntStream.of(perNode).min().orElse(0);

      List<Member> joined = new ArrayList<>(base);
      joined.add(Member.of("node-" + nodes));
      double join = moved(placement, Placement.of(joined), keys, r);
      List<Member> left = new ArrayList<>(base);
      left.remove(nodes / 2);
      double leave = moved(placement, Placement.of(left), keys, r);
      double sameName = moved(placement, Placement.of(base), keys, r);
      List<Member> renamed = new ArrayList<>(base);
      renamed.set(nodes / 2, Member.of(UUID.randomUUID().toString()));
      double newName = moved(placement, Placement.of(renamed), keys, r);
      double seconds = bestPlaceSeconds(placement, keys, r);
      System.out.printf(
          "| %d | %.4f (%.4f) | %.2f%% | %.2f%% | %.2f%% | %.2f%% | %.3f s |%n",
          r,
          max / mean,
          min / mean,
          100 * join,
          100 * leave,
          100 * sameName,
          100 * newName,
          seconds);
    }
    System.out.printf(
        "%nmoved = share of (source, owner) placements that a node no longer has; "
            + "ideal join R/(N+1) = %.2f%% for R = 1, leave 1/N = %.2f%%%n",
        100.0 / (nodes + 1), 100.0 / nodes);
  }

  private static List<Member> members(int n, String prefix) {
    return IntStream.range(0, n).mapToObj(i -> Member.of(prefix + i)).toList();
  }

  private static int[][] place(Placement placement, long[] keys, int r) {
    int[][] owners = new int[keys.length][];
    int[] into = new int[placement.members().size()];
    for (int i = 0; i < keys.length; i++) {
      int n = placement.ownerIndexes(keys[i], r, into);
      owners[i] = java.util.Arrays.copyOf(into, n);
    }
    return owners;
  }

  /** The share of placements (source, owner name) of {@code before} that {@code after} lacks. */
  private static double moved(Placement before, Placement after, long[] keys, int r) {
    int[] a = new int[before.members().size()];
    int[] b = new int[after.members().size()];
    long placements = 0;
    long lost = 0;
    for (long key : keys) {
      int na = before.ownerIndexes(key, r, a);
      int nb = after.ownerIndexes(key, r, b);
      for (int i = 0; i < na; i++) {
        String name = before.members().get(a[i]).name();
        boolean kept = false;
        for (int j = 0; j < nb && !kept; j++) {
          kept = after.members().get(b[j]).name().equals(name);
        }
        placements++;
        if (!kept) {
          lost++;
        }
      }
    }
    return lost / (double) placements;
  }

  private static double bestPlaceSeconds(Placement placement, long[] keys, int r) {
    int[] into = new int[placement.members().size()];
    double best = Double.MAX_VALUE;
    long sink = 0;
    for (int round = 0; round < 6; round++) {
      long started = System.nanoTime();
      for (long key : keys) {
        sink += placement.ownerIndexes(key, r, into) + into[0];
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      if (round > 0) {
        best = Math.min(best, seconds);
      }
    }
    if (sink == 42) {
      System.out.print("");
    }
    return best;
  }
}
