package dev.scopesync.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.model.SourceId;
import dev.scopesync.shard.Placement.Member;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Rendezvous placement (SHARDING.md §3.2): its outcomes on real source ids, exactly. */
class PlacementTest {
  private static final List<String> SOURCES =
      IntStream.range(0, 20_000)
          .mapToObj(i -> SourceId.of("https://git.example.com/org/repo-" + i + ".git", "main", 1))
          .toList();

  private static List<Member> nodes(int n) {
    return IntStream.range(0, n).mapToObj(i -> Member.of("node-" + i)).toList();
  }

  @Test
  void theOwnersArePinnedSoThatEveryVersionPlacesAlike() {
    // Nodes of different versions must agree: a change of the hash is a change of ALGORITHM.
    Placement placement = Placement.of(nodes(3));
    String source = SourceId.of("https://git.example.com/org/policies.git", "main", 1);
    assertEquals(
        List.of("node-2", "node-1", "node-0"),
        placement.owners(source, 0).stream().map(Member::name).toList());
    // python3: hashlib.sha256(b"scopesync-node:node-0").hexdigest()[:16]
    assertEquals(0xb1bfa8052a65b0b3L, Placement.nodeKey("node-0"));
  }

  @Test
  void theOwnersDependOnTheMembersNotOnTheirOrder() {
    List<Member> shuffled = new ArrayList<>(nodes(7));
    Collections.shuffle(shuffled, new java.util.Random(7));
    Placement a = Placement.of(nodes(7));
    Placement b = Placement.of(shuffled);
    for (String source : SOURCES.subList(0, 2_000)) {
      assertEquals(a.owners(source, 2), b.owners(source, 2), source);
    }
  }

  @ParameterizedTest(name = "R = {0}: distinct owners, the primary first")
  @ValueSource(ints = {1, 2, 3})
  void eachSourceHasRDistinctOwnersThePrimaryFirst(int replicas) {
    Placement placement = Placement.of(nodes(5));
    for (String source : SOURCES.subList(0, 2_000)) {
      List<Member> owners = placement.owners(source, replicas);
      assertEquals(replicas, owners.size());
      assertEquals(replicas, owners.stream().distinct().count());
      assertEquals(placement.primary(source), owners.get(0));
      assertEquals(owners.subList(0, 1), placement.owners(source, 1), "a prefix of the ranking");
    }
  }

  @Test
  void replicasZeroOrAtLeastTheMembersMeansEveryMember() {
    Placement placement = Placement.of(nodes(3));
    String source = SOURCES.get(0);
    assertEquals(3, placement.owners(source, 0).size());
    assertEquals(placement.owners(source, 0), placement.owners(source, 5));
  }

  @ParameterizedTest(name = "R = {0}: a join moves sources only to the joiner")
  @ValueSource(ints = {1, 2})
  void aJoinMovesSourcesOnlyToTheJoiner(int replicas) {
    Placement before = Placement.of(nodes(10));
    Placement after = Placement.of(nodes(11));
    int moved = 0;
    for (String source : SOURCES) {
      List<Member> was = before.owners(source, replicas);
      List<Member> is = after.owners(source, replicas);
      if (!new java.util.HashSet<>(was).equals(new java.util.HashSet<>(is))) {
        moved++;
        assertTrue(is.contains(Member.of("node-10")), source + " moved but not to the joiner");
        List<Member> kept = new ArrayList<>(is);
        kept.remove(Member.of("node-10"));
        assertTrue(was.containsAll(kept), "the other owners stay");
      }
    }
    // About R/(N+1) of the sources: 1,818 of 20,000 for R = 1.
    double fraction = moved / (double) SOURCES.size();
    assertTrue(Math.abs(fraction - replicas / 11.0) < 0.01, "moved " + fraction);
  }

  @Test
  void aLeaveMovesExactlyTheLeaversSources() {
    Placement before = Placement.of(nodes(10));
    List<Member> nine = new ArrayList<>(nodes(10));
    nine.remove(Member.of("node-4"));
    Placement after = Placement.of(nine);
    for (String source : SOURCES) {
      Member was = before.primary(source);
      Member is = after.primary(source);
      if (was.name().equals("node-4")) {
        assertNotEquals(was, is);
      } else {
        assertEquals(was, is, source + " moved although its owner stayed");
      }
    }
  }

  @Test
  void tenNodesShareTwentyThousandSourcesEvenly() {
    Placement placement = Placement.of(nodes(10));
    Map<String, Integer> perNode = new HashMap<>();
    for (String source : SOURCES) {
      perNode.merge(placement.primary(source).name(), 1, Integer::sum);
    }
    int max = Collections.max(perNode.values());
    int min = Collections.min(perNode.values());
    // 2,000 expected each; a binomial spread of sd ≈ 42: within ±8%.
    assertTrue(max <= 2_160 && min >= 1_840, perNode.toString());
  }

  @Test
  void aMemberOfWeightZeroOwnsNothingAndWeightsShareInProportion() {
    List<Member> members =
        List.of(
            new Member("heavy", "a", 2), new Member("light", "b", 1), new Member("off", "c", 0));
    Placement placement = Placement.of(members);
    Map<String, Integer> perNode = new HashMap<>();
    for (String source : SOURCES) {
      List<Member> all = placement.owners(source, 0);
      assertEquals(2, all.size(), "weight 0 is never an owner");
      perNode.merge(all.get(0).name(), 1, Integer::sum);
    }
    double heavyShare = perNode.get("heavy") / (double) SOURCES.size();
    assertTrue(Math.abs(heavyShare - 2 / 3.0) < 0.02, "heavy took " + heavyShare);
  }

  @Test
  void misuseIsRefusedWithAMessage() {
    assertEquals(
        "two members are named a",
        assertThrows(
                IllegalArgumentException.class,
                () -> Placement.of(List.of(Member.of("a"), Member.of("a"))))
            .getMessage());
    assertEquals(
        "member a: weight must be >= 0, got -1.0",
        assertThrows(IllegalArgumentException.class, () -> new Member("a", "x", -1)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> Placement.sourceKey("not-a-source"));
    assertThrows(
        IllegalArgumentException.class, () -> Placement.of(nodes(2)).owners(SOURCES.get(0), -1));
  }
}
