package dev.scopesync.bundle;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * Relative POSIX paths handled the way Python's {@code PurePosixPath} handles them, because OPAL
 * compares, joins and splits every bundle path through {@code pathlib}. Paths are plain strings;
 * {@code "."} is the repository root.
 */
final class PythonPath {

  static final String ROOT = ".";

  /** Orders paths by code point, like Python's {@code sorted} on {@code str}. */
  static final Comparator<String> CODE_POINT_ORDER = PythonPath::compareCodePoints;

  private PythonPath() {}

  /** Whether {@code PurePosixPath(path)} is absolute (has a root). */
  static boolean isAbsolute(String path) {
    return path.startsWith("/");
  }

  /**
   * The parts of a relative path as {@code PurePosixPath} keeps them: empty and {@code "."}
   * segments dropped, {@code ".."} kept (pathlib never collapses it). The root has no parts.
   */
  static List<String> parts(String path) {
    List<String> parts = new ArrayList<>();
    for (String segment : path.split("/", -1)) {
      if (!segment.isEmpty() && !segment.equals(".")) {
        parts.add(segment);
      }
    }
    return parts;
  }

  /**
   * {@code str(PurePosixPath(path))} for a relative path: {@code "./a/"} and {@code "a//."} become
   * {@code "a"}.
   */
  static String normalize(String path) {
    List<String> parts = parts(path);
    return parts.isEmpty() ? ROOT : String.join("/", parts);
  }

  /** {@code PurePosixPath(directory) / child}, both relative; the result is normalised. */
  static String join(String directory, String child) {
    return normalize(directory + "/" + child);
  }

  /** Whether a normalised path has a {@code ".."} part, which no path in a git tree has. */
  static boolean hasParentReference(String normalizedPath) {
    return parts(normalizedPath).contains("..");
  }

  /** {@code PurePosixPath(path).name}: the last part, {@code ""} for the root. */
  static String name(String normalizedPath) {
    if (normalizedPath.equals(ROOT)) {
      return "";
    }
    return normalizedPath.substring(normalizedPath.lastIndexOf('/') + 1);
  }

  /** {@code PurePosixPath(path).parent} of a normalised path; the root is its own parent. */
  static String parent(String normalizedPath) {
    int slash = normalizedPath.lastIndexOf('/');
    return slash < 0 ? ROOT : normalizedPath.substring(0, slash);
  }

  /**
   * {@code PurePosixPath(path).parents} of a normalised path, nearest first, ending with {@code
   * "."}: {@code "a/b/c.rego"} has {@code ["a/b", "a", "."]}.
   */
  static List<String> parents(String normalizedPath) {
    if (normalizedPath.equals(ROOT)) {
      return List.of();
    }
    List<String> parents = new ArrayList<>();
    String current = normalizedPath;
    do {
      current = parent(current);
      parents.add(current);
    } while (!current.equals(ROOT));
    return Collections.unmodifiableList(parents);
  }

  /**
   * {@code PurePosixPath(path).suffix}: from the last dot of the name, but a name that starts with
   * its only dot ({@code ".rego"}, {@code ".manifest"}) or ends with a dot has none.
   */
  static String suffix(String normalizedPath) {
    String name = name(normalizedPath);
    int dot = name.lastIndexOf('.');
    return dot > 0 && dot < name.length() - 1 ? name.substring(dot) : "";
  }

  /** Whether {@code directory} is one of {@code path.parents} (both normalised). */
  static boolean isStrictlyUnder(String path, String directory) {
    if (path.equals(ROOT)) {
      return false;
    }
    return directory.equals(ROOT) || path.startsWith(directory + "/");
  }

  private static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  }
}
