package dev.scopesync.signing;

import dev.scopesync.digest.Sha256;
import java.util.HexFormat;

/**
 * The SHA-256 OPA expects for one file of a signed bundle, keyed by the file's path.
 *
 * <p>OPA's {@code IsStructuredDoc} ({@code v1/bundle/bundle.go}) decides how a file is hashed from
 * its base name: {@code data.json}, {@code data.yaml}, {@code .manifest} (and {@code
 * signatures.json}, which is never listed) are hashed over their parsed value ({@link
 * OpaJsonHash}); every other file, {@code .rego} included, over its bytes. Note that {@code
 * data.yml} is not structured there, and neither is {@code other.json}.
 *
 * <p>Files whose structured form cannot be computed here:
 *
 * <ul>
 *   <li>a {@code data.json} or {@code .manifest} that is not JSON gets the hash of its bytes. OPA
 *       refuses such a bundle whatever its signature ("bundle load failed" when it parses the file:
 *       its loader reads {@code data.json} and {@code .manifest} as JSON only), so any hash gives
 *       the same outcome, and the bundle can still be built and served as it would be unsigned;
 *   <li>a {@code data.yaml} that is not JSON is refused with {@link IllegalArgumentException}: OPA
 *       would hash its YAML reading, which this package does not repeat, and OPA loads such a file,
 *       so a wrong hash would make it refuse a bundle it otherwise takes.
 * </ul>
 *
 * <p>Stateless; safe for use by any number of threads.
 */
public final class OpaFileHash {

  private OpaFileHash() {}

  /** True when OPA hashes the file at {@code path} over its parsed JSON value. */
  public static boolean isStructured(String path) {
    String base = path.substring(path.lastIndexOf('/') + 1);
    return base.equals("data.json")
        || base.equals("data.yaml")
        || base.equals(".manifest")
        || base.equals("signatures.json");
  }

  /**
   * Lower-case hex SHA-256 of the file at {@code path} (with or without its leading {@code /}) as
   * OPA verifies it.
   *
   * @throws IllegalArgumentException for a {@code data.yaml} that is not JSON (see above)
   */
  public static String sha256Hex(String path, byte[] content) {
    if (isStructured(path)) {
      try {
        return OpaJsonHash.sha256Hex(content);
      } catch (IllegalArgumentException notJson) {
        if (path.endsWith("data.yaml")) {
          throw new IllegalArgumentException(
              path
                  + " is YAML, whose hash OPA computes from its YAML "
                  + "reading; only JSON data files can be signed ("
                  + notJson.getMessage()
                  + ")");
        }
        // OPA refuses this bundle at load whatever we list (see the class comment).
      }
    }
    return HexFormat.of().formatHex(Sha256.of(content));
  }
}
