package dev.scopesync.bundle;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code roots} of a stock OPA bundle's {@code .manifest}: the data paths the bundle owns. Each
 * rego module needs the path of its package ({@code app.rbac} needs {@code app/rbac}) and each
 * {@code data.json} the path of its directory. Roots must not overlap (OPA refuses a manifest whose
 * roots do), so a root inside another is dropped. When some module needs the whole tree — a {@code
 * data.json} at the repository root, a rego whose package cannot be read, or no module at all — the
 * only root is {@code ""}, which owns everything.
 */
final class OpaRoots {

  static final List<String> WHOLE_TREE = List.of("");

  private static final String IDENT = "[A-Za-z_][A-Za-z0-9_]*";
  // A string key may not hold '/', which separates root segments, nor escapes we would have to
  // decode.
  private static final String KEY = "\\[\"[^\"\\\\/]*\"\\]";
  private static final Pattern REF = Pattern.compile(IDENT + "(?:\\." + IDENT + "|" + KEY + ")*");
  private static final Pattern REF_SEGMENT =
      Pattern.compile("\\.?(" + IDENT + ")|\\[\"([^\"]*)\"\\]");
  // Wider than OPAL's package pattern (see RegoPackageName): also takes '_', indentation and a
  // trailing comment, so that common packages OPAL leaves unnamed still get a narrow root.
  private static final Pattern PACKAGE_LINE =
      Pattern.compile(
          "\\s*package\\s+(" + REF.pattern() + ")\\s*(?:#.*)?", Pattern.UNICODE_CHARACTER_CLASS);

  private OpaRoots() {}

  static List<String> of(PolicyBundle bundle) {
    List<List<String>> needed = new ArrayList<>();
    for (PolicyBundle.PolicyModule module : bundle.policyModules()) {
      List<String> segments = packageSegments(module);
      if (segments == null) {
        return WHOLE_TREE;
      }
      needed.add(segments);
    }
    for (PolicyBundle.DataModule module : bundle.dataModules()) {
      if (module.path().equals(PythonPath.ROOT)) {
        return WHOLE_TREE;
      }
      needed.add(PythonPath.parts(module.path()));
    }
    if (needed.isEmpty()) {
      return WHOLE_TREE;
    }
    return narrowed(needed);
  }

  /**
   * Keeps the outermost roots: shortest first, each dropped when a kept root already contains it.
   */
  private static List<String> narrowed(List<List<String>> needed) {
    needed.sort(Comparator.comparingInt(List::size));
    List<List<String>> kept = new ArrayList<>();
    for (List<String> root : needed) {
      if (kept.stream().noneMatch(outer -> isPrefix(outer, root))) {
        kept.add(root);
      }
    }
    return kept.stream()
        .map(root -> String.join("/", root))
        .sorted(PythonPath.CODE_POINT_ORDER)
        .toList();
  }

  private static boolean isPrefix(List<String> outer, List<String> inner) {
    return outer.size() <= inner.size() && inner.subList(0, outer.size()).equals(outer);
  }

  /** The package's path segments, or {@code null} when it cannot be read. */
  private static List<String> packageSegments(PolicyBundle.PolicyModule module) {
    String name =
        module.packageName().isEmpty() ? packageDeclaredIn(module.rego()) : module.packageName();
    if (name == null || !REF.matcher(name).matches()) {
      return null;
    }
    List<String> segments = new ArrayList<>();
    Matcher segment = REF_SEGMENT.matcher(name);
    while (segment.find()) {
      segments.add(segment.group(1) != null ? segment.group(1) : segment.group(2));
    }
    return segments.stream().anyMatch(String::isEmpty) ? null : segments;
  }

  private static String packageDeclaredIn(String rego) {
    for (String line : PythonText.splitLines(rego)) {
      Matcher match = PACKAGE_LINE.matcher(line);
      if (match.matches()) {
        return match.group(1);
      }
    }
    return null;
  }
}
