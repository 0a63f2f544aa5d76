package dev.scopesync.bundle;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A {@link BundleFilter} compiled into the questions the bundle maker asks of a path. A file is in
 * the bundle when OPAL's file filter passes it (suffix in {@code extensions}, under one of {@code
 * directories}, no ignore glob matches) <em>and</em> OPAL turns it into a module: a {@code
 * data.json} (data module) or a {@code .rego} file (policy module). Other files that pass the
 * filter, like {@code other/some.json}, are in no list, not even the manifest — as in OPAL.
 * Immutable and thread-safe.
 */
final class BundleFileRule {

  static final String DATA_FILE_NAME = "data.json";
  static final String POLICY_SUFFIX = ".rego";

  private final Set<String> directories = new LinkedHashSet<>();
  private final Set<String> extensions;
  private final IgnoreGlobs ignore;
  private final String manifestPath;

  BundleFileRule(BundleFilter filter) {
    for (String directory : filter.directories()) {
      // An absolute directory is never one of a relative path's parents in OPAL; drop it.
      if (!PythonPath.isAbsolute(directory)) {
        directories.add(PythonPath.normalize(directory));
      }
    }
    this.extensions = Set.copyOf(filter.extensions());
    this.ignore = new IgnoreGlobs(filter.bundleIgnore());
    this.manifestPath = filter.manifestPath();
  }

  /** Whether the file at a normalised path is a module of the bundle. */
  boolean includes(String path) {
    return isModule(path)
        && extensions.contains(PythonPath.suffix(path))
        && isUnderDirectories(path)
        && !ignore.matches(path);
  }

  /**
   * Whether a directory can hold included files, so the walk may skip the others. It can when it
   * lies under a filter directory or on the way down to one.
   */
  boolean mayContain(String directory) {
    for (String filterDirectory : directories) {
      if (directory.equals(PythonPath.ROOT)
          || filterDirectory.equals(directory)
          || PythonPath.isStrictlyUnder(directory, filterDirectory)
          || PythonPath.isStrictlyUnder(filterDirectory, directory)) {
        return true;
      }
    }
    return false;
  }

  boolean isIgnored(String path) {
    return ignore.matches(path);
  }

  String manifestPath() {
    return manifestPath;
  }

  static boolean isDataModule(String path) {
    return PythonPath.name(path).equals(DATA_FILE_NAME);
  }

  static boolean isPolicyModule(String path) {
    return PythonPath.suffix(path).equals(POLICY_SUFFIX);
  }

  private static boolean isModule(String path) {
    return isDataModule(path) || isPolicyModule(path);
  }

  private boolean isUnderDirectories(String path) {
    for (String directory : directories) {
      if (PythonPath.isStrictlyUnder(path, directory)) {
        return true;
      }
    }
    return false;
  }
}
