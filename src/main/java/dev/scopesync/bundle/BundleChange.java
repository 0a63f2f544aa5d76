package dev.scopesync.bundle;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How the bundle files of two commits differ, by comparing the path-to-blob maps of the files
 * included at each. Comparing the included files, rather than reading git's rename-aware diff as
 * OPAL does, is what keeps a rename across the filter right: a file renamed from an ignored path to
 * an included one is simply new in the bundle, and one renamed out of the filter is simply gone.
 *
 * @param addedOrModified paths in the new bundle that are new or hold a different blob, in its walk
 *     order
 * @param deleted paths of the old bundle missing from the new one, in the old manifest order
 * @param reordered whether files present in both bundles are listed in a different manifest order
 */
record BundleChange(List<String> addedOrModified, List<String> deleted, boolean reordered) {

  BundleChange {
    addedOrModified = List.copyOf(addedOrModified);
    deleted = List.copyOf(deleted);
  }

  static BundleChange between(BundleFiles before, BundleFiles after) {
    List<String> addedOrModified = new ArrayList<>();
    for (Map.Entry<String, ?> file : after.walkOrder().entrySet()) {
      if (!Objects.equals(before.blobOf(file.getKey()), file.getValue())) {
        addedOrModified.add(file.getKey());
      }
    }
    List<String> deleted = new ArrayList<>();
    for (String path : before.manifest()) {
      if (!after.contains(path)) {
        deleted.add(path);
      }
    }
    List<String> keptBefore = before.manifest().stream().filter(after::contains).toList();
    List<String> keptAfter = after.manifest().stream().filter(before::contains).toList();
    return new BundleChange(addedOrModified, deleted, !keptBefore.equals(keptAfter));
  }

  /** Whether the two full bundles are the same apart from their hash. */
  boolean isEmpty() {
    return addedOrModified.isEmpty() && deleted.isEmpty() && !reordered;
  }
}
