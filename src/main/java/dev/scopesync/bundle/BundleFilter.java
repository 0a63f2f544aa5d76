package dev.scopesync.bundle;

import dev.scopesync.digest.Sha256;
import java.util.List;
import java.util.TreeSet;

/**
 * Which files of a repository form a scope's bundle: OPAL's {@code directories}, {@code
 * extensions}, {@code manifest} and {@code bundle_ignore} of a git policy source. Immutable.
 *
 * <p>A {@code null} component takes OPAL's scope default: {@code ["."]}, {@code [".rego",
 * ".json"]}, {@code ".manifest"}, no ignore globs.
 *
 * @param directories directories whose files are included, relative to the repository root; {@code
 *     "."} is all
 * @param extensions file suffixes that are included, compared exactly ({@code ".rego"}, {@code
 *     ".json"})
 * @param manifestPath a {@code .manifest} file, or a directory holding one, that orders the bundle
 * @param bundleIgnore globs of paths to leave out (see {@link IgnoreGlobs})
 */
public record BundleFilter(
    List<String> directories,
    List<String> extensions,
    String manifestPath,
    List<String> bundleIgnore) {

  public static final List<String> DEFAULT_DIRECTORIES = List.of(".");
  public static final List<String> DEFAULT_EXTENSIONS = List.of(".rego", ".json");
  public static final String DEFAULT_MANIFEST_PATH = ".manifest";

  public BundleFilter {
    directories = directories == null ? DEFAULT_DIRECTORIES : List.copyOf(directories);
    extensions = extensions == null ? DEFAULT_EXTENSIONS : List.copyOf(extensions);
    manifestPath = manifestPath == null ? DEFAULT_MANIFEST_PATH : manifestPath;
    bundleIgnore = bundleIgnore == null ? List.of() : List.copyOf(bundleIgnore);
  }

  /** OPAL's defaults: the whole repository, {@code .rego} and {@code .json}, {@code .manifest}. */
  public static BundleFilter defaults() {
    return new BundleFilter(null, null, null, null);
  }

  /**
   * A stable string identifying the filter, for cache keys and ETags: the SHA-256 (hex) of the four
   * components. Lists are taken as sets, sorted and de-duplicated, because each of them only ever
   * answers "is this one of them", so their order never changes a bundle.
   */
  public String fingerprint() {
    StringBuilder canonical = new StringBuilder();
    appendSet(canonical, directories);
    appendSet(canonical, extensions);
    appendString(canonical, manifestPath);
    appendSet(canonical, bundleIgnore);
    return Sha256.hex(canonical.toString());
  }

  private static void appendSet(StringBuilder out, List<String> values) {
    TreeSet<String> sorted = new TreeSet<>(values);
    out.append(sorted.size()).append(':');
    sorted.forEach(value -> appendString(out, value));
  }

  // Length-prefixed, so no choice of separator characters inside values can make two filters
  // collide.
  private static void appendString(StringBuilder out, String value) {
    out.append(value.length()).append(':').append(value);
  }
}
