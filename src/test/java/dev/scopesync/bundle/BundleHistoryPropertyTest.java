package dev.scopesync.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SortedSet;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded random history of adds, edits, deletes, renames (into and out of the filter) and
 * manifest edits; for every pair of its commits the diff bundle must turn the older full bundle
 * into the newer one, and changed directories must be empty exactly when the bundle stayed the
 * same.
 */
class BundleHistoryPropertyTest {

  private static final List<String> PATHS =
      List.of(
          "a.rego",
          "b.rego",
          "data.json",
          "notes.txt",
          "policies/p.rego",
          "policies/q.rego",
          "policies/data.json",
          "policies/values.json",
          "policies/deep/r.rego",
          "policies/deep/data.json",
          "drafts/d.rego",
          "drafts/data.json",
          "archive/old.rego");
  private static final BundleFilter FILTER =
      new BundleFilter(List.of("policies", "."), null, null, List.of("drafts/**", "*.txt"));

  @TempDir Path dir;

  @Test
  void everyDiffAppliesToItsBaseAndChangedDirectoriesAreEmptyExactlyWhenNothingChanged()
      throws Exception {
    Random random = new Random(20240611L);
    try (TestRepository repo = TestRepository.init(dir)) {
      List<ObjectId> commits = new ArrayList<>();
      List<String> present = new ArrayList<>();
      for (int step = 0; step < 14; step++) {
        for (int op = 0; op < 1 + random.nextInt(3); op++) {
          change(repo, random, present);
        }
        commits.add(repo.commit("step " + step));
      }

      BundleMaker maker = new BundleMaker(repo.repository(), FILTER);
      int pairsWithDeletions = 0;
      int unchangedPairsOfDistinctCommits = 0;
      for (ObjectId base : commits) {
        PolicyBundle baseBundle = maker.full(base);
        for (ObjectId head : commits) {
          PolicyBundle headBundle = maker.full(head);
          String pair = base.name() + ".." + head.name();

          PolicyBundle diff = maker.diff(base, head);
          assertEquals(
              AppliedBundle.of(headBundle), AppliedBundle.of(baseBundle).apply(diff), pair);
          pairsWithDeletions += diff.deletedFiles() == null ? 0 : 1;
          SortedSet<String> changed = maker.changedDirectories(base, head);
          assertEquals(
              withoutHash(baseBundle).equals(withoutHash(headBundle)),
              changed.isEmpty(),
              pair + " " + changed);
          if (changed.isEmpty() && !base.equals(head)) {
            unchangedPairsOfDistinctCommits++;
          }
        }
      }
      // The seed gives a history that exercises both sides of the rule.
      assertEquals(
          List.of(true, true),
          List.of(pairsWithDeletions > 20, unchangedPairsOfDistinctCommits > 0),
          pairsWithDeletions
              + " pairs with deletions, "
              + unchangedPairsOfDistinctCommits
              + " unchanged");
    }
  }

  private static PolicyBundle withoutHash(PolicyBundle bundle) {
    return new PolicyBundle(
        bundle.manifest(), "", null, bundle.dataModules(), bundle.policyModules(), null);
  }

  private static void change(TestRepository repo, Random random, List<String> present)
      throws Exception {
    int kind = present.isEmpty() ? 0 : random.nextInt(5);
    String path = PATHS.get(random.nextInt(PATHS.size()));
    switch (kind) {
      case 0, 1 -> {
        repo.write(path, content(path, random));
        if (!present.contains(path)) {
          present.add(path);
        }
      }
      case 2 -> {
        String gone = present.remove(random.nextInt(present.size()));
        repo.delete(gone);
      }
      case 3 -> {
        String from = present.get(random.nextInt(present.size()));
        if (!present.contains(path)
            && !isDirectoryOf(path, present)
            && !isDirectoryOf(from, List.of(path))) {
          repo.rename(from, path);
          present.remove(from);
          present.add(path);
        }
      }
      default -> {
        List<String> order = new ArrayList<>(PATHS);
        Collections.shuffle(order, random);
        repo.write(".manifest", String.join("\n", order.subList(0, 4)));
      }
    }
  }

  private static boolean isDirectoryOf(String path, List<String> others) {
    return others.stream()
        .anyMatch(other -> other.startsWith(path + "/") || path.startsWith(other + "/"));
  }

  private static String content(String path, Random random) {
    if (path.endsWith(".rego")) {
      return "package pkg" + random.nextInt(4) + "\n\nallow := " + random.nextBoolean() + "\n";
    }
    return "{\"v\": " + random.nextInt(4) + "}";
  }
}
