package dev.scopesync.bundle;

import java.util.ArrayList;
import java.util.List;

/**
 * A scope's {@code bundle_ignore} globs, matched the way OPAL's {@code
 * PathUtils.glob_style_match_path_to_list} matches them:
 *
 * <ul>
 *   <li>{@code "/"} and {@code "/**"} match every path;
 *   <li>a glob ending in {@code "/**"} matches the directory before it and everything below it,
 *       compared as plain text (no wildcards in that prefix);
 *   <li>any other glob is Python's {@code PurePath.match} (3.8–3.11, which OPAL runs on): the
 *       glob's parts are matched against the path's last parts from the right with {@code fnmatch},
 *       {@code **} is just {@code *}, and a rooted glob never matches a relative path.
 * </ul>
 *
 * One deviation: Python raises on an empty glob ({@code ""}, {@code "."}), failing OPAL's whole
 * bundle; here such a glob matches nothing. Immutable and thread-safe.
 */
final class IgnoreGlobs {

  private final List<Glob> globs;

  IgnoreGlobs(List<String> globs) {
    List<Glob> compiled = new ArrayList<>();
    for (String glob : globs) {
      compiled.add(Glob.of(glob));
    }
    this.globs = List.copyOf(compiled);
  }

  /** Whether any glob matches a normalised repository path (a file or a directory). */
  boolean matches(String normalizedPath) {
    for (Glob glob : globs) {
      if (glob.matches(normalizedPath)) {
        return true;
      }
    }
    return false;
  }

  private interface Glob {
    boolean matches(String path);

    static Glob of(String glob) {
      if (glob.equals("/") || glob.equals("/**")) {
        return path -> true;
      }
      if (glob.endsWith("/**")) {
        String directory = glob.substring(0, glob.length() - "**".length());
        return path -> (path + "/").startsWith(directory);
      }
      if (PythonPath.isAbsolute(glob)) {
        return path -> false;
      }
      List<String> parts = PythonPath.parts(glob);
      if (parts.isEmpty()) {
        return path -> false;
      }
      return new PartsFromTheRight(parts);
    }
  }

  /** {@code PurePath.match} of a relative glob. */
  private static final class PartsFromTheRight implements Glob {
    private final List<FnmatchPattern> parts = new ArrayList<>();

    PartsFromTheRight(List<String> globParts) {
      for (String part : globParts) {
        parts.add(FnmatchPattern.compile(part));
      }
    }

    @Override
    public boolean matches(String path) {
      List<String> pathParts = PythonPath.parts(path);
      if (parts.size() > pathParts.size()) {
        return false;
      }
      int offset = pathParts.size() - parts.size();
      for (int k = parts.size() - 1; k >= 0; k--) {
        if (!parts.get(k).matches(pathParts.get(offset + k))) {
          return false;
        }
      }
      return true;
    }
  }
}
