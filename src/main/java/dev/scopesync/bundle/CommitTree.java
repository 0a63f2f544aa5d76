package dev.scopesync.bundle;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * The tree of one commit, seen the way OPAL's {@code CommitViewer} sees it: files are blobs
 * (regular, executable or symlink), directories are trees, submodules are neither.
 *
 * <p>Borrows the caller's {@link ObjectReader} and is only valid while it is open; not thread-safe.
 */
final class CommitTree {

  /** What a path names in the tree. */
  enum Node {
    FILE,
    DIRECTORY,
    NONE
  }

  /** A file of the tree: its normalised path and its blob. */
  record File(String path, ObjectId blob) {}

  private final ObjectReader reader;
  private final ObjectId commit;
  private final ObjectId root;

  private CommitTree(ObjectReader reader, ObjectId commit, ObjectId root) {
    this.reader = reader;
    this.commit = commit;
    this.root = root;
  }

  /** The tree of a commit (an annotated tag is peeled to its commit). */
  static CommitTree of(ObjectReader reader, ObjectId commitish) throws IOException {
    try (RevWalk walk = new RevWalk(reader)) {
      RevCommit commit = walk.parseCommit(commitish);
      return new CommitTree(reader, commit.copy(), commit.getTree().copy());
    }
  }

  /** The commit's id, which is a bundle's {@code hash}. */
  ObjectId commit() {
    return commit;
  }

  /**
   * The files in OPAL's walk order: in each directory its files first, in tree order, then its
   * subdirectories in tree order, depth first. Subdirectories that {@code enter} refuses are
   * skipped with all they hold.
   */
  List<File> files(Predicate<String> enter) throws IOException {
    List<File> files = new ArrayList<>();
    collect(root, PythonPath.ROOT, enter, files);
    return files;
  }

  /** What a normalised relative path names: {@code "."} is the root directory. */
  Node node(String path) throws IOException {
    if (path.equals(PythonPath.ROOT)) {
      return Node.DIRECTORY;
    }
    Entry entry = entryAt(path);
    if (entry == null) {
      return Node.NONE;
    }
    if (isDirectory(entry.mode())) {
      return Node.DIRECTORY;
    }
    return isFile(entry.mode()) ? Node.FILE : Node.NONE;
  }

  /** The blob at a normalised path, or {@code null} when the path is not a file. */
  ObjectId fileAt(String path) throws IOException {
    Entry entry = path.equals(PythonPath.ROOT) ? null : entryAt(path);
    return entry != null && isFile(entry.mode()) ? entry.id() : null;
  }

  private record Entry(FileMode mode, ObjectId id) {}

  private Entry entryAt(String path) throws IOException {
    // Git trees hold neither absolute paths nor "..": such a path names nothing.
    if (PythonPath.isAbsolute(path) || PythonPath.hasParentReference(path)) {
      return null;
    }
    try (TreeWalk walk = TreeWalk.forPath(reader, path, root)) {
      return walk == null ? null : new Entry(walk.getFileMode(0), walk.getObjectId(0));
    }
  }

  byte[] read(ObjectId blob) throws IOException {
    return reader.open(blob, Constants.OBJ_BLOB).getBytes();
  }

  private void collect(ObjectId tree, String directory, Predicate<String> enter, List<File> files)
      throws IOException {
    List<String> subdirectoryPaths = new ArrayList<>();
    List<ObjectId> subdirectoryTrees = new ArrayList<>();
    try (TreeWalk walk = new TreeWalk(reader)) {
      walk.addTree(tree);
      walk.setRecursive(false);
      while (walk.next()) {
        String name = walk.getNameString();
        String path = directory.equals(PythonPath.ROOT) ? name : directory + "/" + name;
        FileMode mode = walk.getFileMode(0);
        if (isDirectory(mode)) {
          subdirectoryPaths.add(path);
          subdirectoryTrees.add(walk.getObjectId(0));
        } else if (isFile(mode)) {
          files.add(new File(path, walk.getObjectId(0)));
        }
      }
    }
    for (int i = 0; i < subdirectoryPaths.size(); i++) {
      if (enter.test(subdirectoryPaths.get(i))) {
        collect(subdirectoryTrees.get(i), subdirectoryPaths.get(i), enter, files);
      }
    }
  }

  private static boolean isDirectory(FileMode mode) {
    return mode.getObjectType() == Constants.OBJ_TREE;
  }

  // Regular, executable and symlink entries are all blobs, as in GitPython; submodules are commits.
  private static boolean isFile(FileMode mode) {
    return mode.getObjectType() == Constants.OBJ_BLOB;
  }
}
