package dev.scopesync.bundle;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.lib.ObjectId;

/**
 * The files of one commit that make up a bundle, without their contents: what full bundles, diff
 * bundles and changed directories are all computed from. Immutable.
 *
 * <p>Two views of the same files: {@link #walkOrder()} is the order OPAL lists modules in (its tree
 * walk), {@link #manifest()} is the bundle's {@code manifest} (walk order re-sorted by the explicit
 * {@code .manifest} order).
 */
final class BundleFiles {

  private final ObjectId commit;
  private final Map<String, ObjectId> walkOrder;
  private final List<String> manifest;
  private final String manifestDirectory;

  private BundleFiles(
      ObjectId commit,
      Map<String, ObjectId> walkOrder,
      List<String> manifest,
      String manifestDirectory) {
    this.commit = commit;
    this.walkOrder = walkOrder;
    this.manifest = manifest;
    this.manifestDirectory = manifestDirectory;
  }

  static BundleFiles of(CommitTree tree, BundleFileRule rule) throws IOException {
    Map<String, ObjectId> included = new LinkedHashMap<>();
    for (CommitTree.File file : tree.files(rule::mayContain)) {
      if (rule.includes(file.path())) {
        included.put(file.path(), file.blob());
      }
    }
    List<String> manifest =
        ExplicitManifest.sort(
            new ArrayList<>(included.keySet()), ExplicitManifest.compile(tree, rule));
    return new BundleFiles(
        tree.commit(),
        included,
        List.copyOf(manifest),
        ExplicitManifest.rootDirectory(tree, rule.manifestPath()));
  }

  ObjectId commit() {
    return commit;
  }

  /** Path to blob, iterated in walk order. */
  Map<String, ObjectId> walkOrder() {
    return Collections.unmodifiableMap(walkOrder);
  }

  List<String> manifest() {
    return manifest;
  }

  /**
   * The directory the root {@code .manifest} orders, or {@code null} when there is no root
   * manifest.
   */
  String manifestDirectory() {
    return manifestDirectory;
  }

  boolean contains(String path) {
    return walkOrder.containsKey(path);
  }

  /** The file's blob, or {@code null} when the path is not in the bundle. */
  ObjectId blobOf(String path) {
    return walkOrder.get(path);
  }
}
