package dev.scopesync.bundle;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.eclipse.jgit.lib.ObjectId;

/**
 * The load order a repository asks for through {@code .manifest} files, compiled as OPAL's {@code
 * BundleMaker._get_explicit_manifest} compiles it, and applied as its {@code _sort_manifest}.
 *
 * <p>The root manifest is the scope's {@code manifest} path: a file (read as a manifest of its
 * directory), or a directory holding {@code .manifest}. Each line of a manifest is a path relative
 * to the manifest's directory. A line naming a file adds it; a line naming a directory adds that
 * directory's own {@code .manifest}, recursively. A line is skipped when it is absolute, leaves the
 * directory (or names the directory itself), names nothing, is ignored by {@code bundle_ignore}, or
 * names a path seen before anywhere in the compilation. A manifest that is not UTF-8 counts as
 * empty (OPAL logs and carries on).
 */
final class ExplicitManifest {

  static final String MANIFEST_FILE_NAME = ".manifest";

  private final CommitTree tree;
  private final BundleFileRule rule;
  private final Set<String> visited = new HashSet<>();

  private ExplicitManifest(CommitTree tree, BundleFileRule rule) {
    this.tree = tree;
    this.rule = rule;
  }

  /**
   * The paths the manifests of a tree list, in order; empty when the root manifest does not exist.
   */
  static List<String> compile(CommitTree tree, BundleFileRule rule) throws IOException {
    return new ExplicitManifest(tree, rule).compileRoot(rule.manifestPath());
  }

  /**
   * The directory the root manifest orders: the manifest file's directory, or the manifest
   * directory itself; {@code null} when the scope's manifest path names nothing in the tree.
   */
  static String rootDirectory(CommitTree tree, String manifestPath) throws IOException {
    if (PythonPath.isAbsolute(manifestPath)) {
      return null;
    }
    String root = PythonPath.normalize(manifestPath);
    switch (tree.node(root)) {
      case FILE:
        return PythonPath.parent(root);
      case DIRECTORY:
        return root;
      default:
        return null;
    }
  }

  /**
   * {@code paths} with those the explicit order names moved to the front in that order, the rest
   * after them in their own order.
   */
  static List<String> sort(List<String> paths, List<String> explicitOrder) {
    LinkedHashSet<String> rest = new LinkedHashSet<>(paths);
    List<String> sorted = new ArrayList<>(paths.size());
    for (String path : explicitOrder) {
      if (rest.remove(path)) {
        sorted.add(path);
      }
    }
    sorted.addAll(rest);
    return sorted;
  }

  private List<String> compileRoot(String manifestPath) throws IOException {
    String directory = rootDirectory(tree, manifestPath);
    if (directory == null) {
      return List.of();
    }
    String root = PythonPath.normalize(manifestPath);
    // A directory holds ".manifest"; a file (OPAL's "old-fashioned" form) is read whatever its
    // name.
    String fileName = directory.equals(root) ? MANIFEST_FILE_NAME : PythonPath.name(root);
    return compileManifest(directory, fileName);
  }

  private List<String> compileManifest(String directory, String fileName) throws IOException {
    String text = readUtf8(PythonPath.join(directory, fileName));
    if (text == null) {
      return List.of();
    }
    List<String> order = new ArrayList<>();
    for (String line : PythonText.splitLines(text)) {
      if (PythonPath.isAbsolute(line)) {
        continue;
      }
      String entry = PythonPath.join(directory, line);
      if (!isInside(entry, directory)) {
        continue;
      }
      CommitTree.Node node = tree.node(entry);
      if (node == CommitTree.Node.NONE || rule.isIgnored(entry) || !visited.add(entry)) {
        continue;
      }
      if (node == CommitTree.Node.DIRECTORY) {
        order.addAll(compileManifest(entry, MANIFEST_FILE_NAME));
      } else {
        order.add(entry);
      }
    }
    return order;
  }

  /**
   * OPAL asks whether the resolved directory is a parent of the resolved entry. A git path never
   * holds {@code ".."}, so an entry with one either leaves the directory or names nothing; either
   * way it is skipped, and only the entry that is the directory itself remains to refuse.
   */
  private static boolean isInside(String entry, String directory) {
    return !PythonPath.hasParentReference(entry) && PythonPath.isStrictlyUnder(entry, directory);
  }

  /** The manifest's text, or {@code null} when it is not a file or not valid UTF-8. */
  private String readUtf8(String path) throws IOException {
    ObjectId blob = tree.fileAt(path);
    if (blob == null) {
      return null;
    }
    try {
      return PythonText.decodeUtf8(tree.read(blob));
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
