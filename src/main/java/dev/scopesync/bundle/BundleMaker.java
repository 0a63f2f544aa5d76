package dev.scopesync.bundle;

import dev.scopesync.bundle.PolicyBundle.DataModule;
import dev.scopesync.bundle.PolicyBundle.DeletedFiles;
import dev.scopesync.bundle.PolicyBundle.PolicyModule;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;

/**
 * Makes a scope's policy bundles from a git repository with OPAL's {@code BundleMaker} semantics.
 *
 * <p>A full bundle lists the included files of a commit: {@code data.json} files as data modules,
 * {@code .rego} files as policy modules (both in OPAL's tree-walk order), and all of them in the
 * {@code manifest}, ordered by the repository's {@code .manifest} files. A diff bundle from a base
 * commit holds what changed so that <em>applying it to the full bundle of the base (deletions, then
 * modules) gives exactly the full bundle of the head</em>.
 *
 * <p>Does not own the repository: the caller opens and closes it. Holds no state between calls, so
 * one instance may be used from several threads at once.
 */
public final class BundleMaker {

  private final Repository repo;
  private final BundleFileRule rule;

  public BundleMaker(Repository repo, BundleFilter filter) {
    if (repo == null || filter == null) {
      throw new IllegalArgumentException("a bundle maker needs a repository and a filter");
    }
    this.repo = repo;
    this.rule = new BundleFileRule(filter);
  }

  /** Full bundle of the tree at commit. */
  public PolicyBundle full(ObjectId commit) throws IOException {
    try (ObjectReader reader = repo.newObjectReader()) {
      CommitTree tree = CommitTree.of(reader, commit);
      BundleFiles files = BundleFiles.of(tree, rule);
      Modules modules = Modules.read(tree, files.walkOrder().keySet(), files);
      return new PolicyBundle(
          files.manifest(), files.commit().name(), null, modules.data(), modules.policies(), null);
    }
  }

  /**
   * Diff bundle from base to head (both commits must exist; the caller checks that base exists,
   * else asks for {@link #full}).
   *
   * <p>Its modules and {@code manifest} hold the added and modified files, the manifest in the
   * head's manifest order restricted to them. (OPAL's manifest holds the same files; for those no
   * {@code .manifest} names, its order is git's diff order, ours the head's walk order.) {@code
   * deleted_files} lists the directories of gone {@code data.json} files in the base's manifest
   * order, and gone {@code .rego} files in <em>reverse</em> base manifest order, so that a module
   * is removed before the modules it was loaded after; it is {@code null} when nothing is gone.
   */
  public PolicyBundle diff(ObjectId base, ObjectId head) throws IOException {
    try (ObjectReader reader = repo.newObjectReader()) {
      BundleFiles before = BundleFiles.of(CommitTree.of(reader, base), rule);
      CommitTree headTree = CommitTree.of(reader, head);
      BundleFiles after = BundleFiles.of(headTree, rule);
      BundleChange change = BundleChange.between(before, after);

      Modules modules = Modules.read(headTree, change.addedOrModified(), after);
      Set<String> changed = new HashSet<>(change.addedOrModified());
      List<String> manifest = after.manifest().stream().filter(changed::contains).toList();
      return new PolicyBundle(
          manifest,
          after.commit().name(),
          before.commit().name(),
          modules.data(),
          modules.policies(),
          deletedFiles(change.deleted()));
    }
  }

  /**
   * Sorted set of all parent directories ({@code "."} included) of every file of the bundle at
   * commit; empty when the bundle has no files.
   */
  public SortedSet<String> directoriesOf(ObjectId commit) throws IOException {
    try (ObjectReader reader = repo.newObjectReader()) {
      BundleFiles files = BundleFiles.of(CommitTree.of(reader, commit), rule);
      return Collections.unmodifiableSortedSet(parentDirectories(files.walkOrder().keySet()));
    }
  }

  /**
   * Sorted set of parent directories ({@code "."} included) of the bundle files that changed
   * between the two commits (added, modified, deleted, renamed into or out of the bundle); empty
   * exactly when the full bundle, apart from its hash, is the same at both commits.
   *
   * <p>A change that only reorders the manifest (a {@code .manifest} edit) changes no file but does
   * change the bundle, since clients load modules in manifest order. It is reported as the
   * directory the root manifest orders and that directory's parents ({@code "."} when the manifest
   * is at the root or gone at both commits): those are the subscribers whose load order may have
   * changed.
   */
  public SortedSet<String> changedDirectories(ObjectId oldCommit, ObjectId newCommit)
      throws IOException {
    try (ObjectReader reader = repo.newObjectReader()) {
      BundleFiles before = BundleFiles.of(CommitTree.of(reader, oldCommit), rule);
      BundleFiles after = BundleFiles.of(CommitTree.of(reader, newCommit), rule);
      BundleChange change = BundleChange.between(before, after);

      List<String> changedFiles = new ArrayList<>(change.addedOrModified());
      changedFiles.addAll(change.deleted());
      SortedSet<String> directories = parentDirectories(changedFiles);
      if (change.reordered()) {
        directories.addAll(selfAndParents(manifestDirectory(before, after)));
      }
      return Collections.unmodifiableSortedSet(directories);
    }
  }

  private static DeletedFiles deletedFiles(List<String> deletedInBaseManifestOrder) {
    if (deletedInBaseManifestOrder.isEmpty()) {
      return null;
    }
    List<String> data = new ArrayList<>();
    List<String> policies = new ArrayList<>();
    for (String path : deletedInBaseManifestOrder) {
      if (BundleFileRule.isDataModule(path)) {
        data.add(PythonPath.parent(path));
      } else {
        policies.add(path);
      }
    }
    Collections.reverse(policies);
    return new DeletedFiles(data, policies);
  }

  private static String manifestDirectory(BundleFiles before, BundleFiles after) {
    if (after.manifestDirectory() != null) {
      return after.manifestDirectory();
    }
    return before.manifestDirectory() != null ? before.manifestDirectory() : PythonPath.ROOT;
  }

  private static SortedSet<String> parentDirectories(Collection<String> files) {
    SortedSet<String> directories = new TreeSet<>(PythonPath.CODE_POINT_ORDER);
    for (String file : files) {
      directories.addAll(PythonPath.parents(file));
    }
    return directories;
  }

  private static List<String> selfAndParents(String directory) {
    List<String> directories = new ArrayList<>();
    directories.add(directory);
    directories.addAll(PythonPath.parents(directory));
    return directories;
  }

  /** The modules of some bundle files, read from one commit's tree. */
  private record Modules(List<DataModule> data, List<PolicyModule> policies) {

    /** Reads {@code paths} (in the order given) as data and policy modules. */
    static Modules read(CommitTree tree, Collection<String> paths, BundleFiles files)
        throws IOException {
      List<DataModule> data = new ArrayList<>();
      List<PolicyModule> policies = new ArrayList<>();
      for (String path : paths) {
        String text = decode(path, tree.read(files.blobOf(path)));
        if (BundleFileRule.isDataModule(path)) {
          data.add(new DataModule(PythonPath.parent(path), text));
        } else {
          policies.add(new PolicyModule(path, RegoPackageName.of(text), text));
        }
      }
      return new Modules(data, policies);
    }

    // OPAL decodes strictly and fails the bundle on bad UTF-8; replacing characters instead
    // would hand OPA a policy that differs from the repository's without anyone noticing.
    private static String decode(String path, byte[] content) throws IOException {
      try {
        return PythonText.decodeUtf8(content);
      } catch (CharacterCodingException e) {
        throw new IOException("bundle file " + path + " is not valid UTF-8", e);
      }
    }
  }
}
