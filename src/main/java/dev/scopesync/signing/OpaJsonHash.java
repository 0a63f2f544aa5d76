package dev.scopesync.signing;

import dev.scopesync.digest.Sha256;
import java.util.HexFormat;

/**
 * The SHA-256 of a JSON file ({@code data.json}, {@code .manifest}) as OPA computes it when it
 * verifies a signed bundle: over a structural encoding of the parsed value, so that whitespace and
 * key order do not matter.
 *
 * <p>The parsing and encoding rules are OPA's, repeated by {@link CanonicalJson}.
 *
 * <p>A file that is not JSON is refused with an {@link IllegalArgumentException}: OPA would fall
 * back to reading it as YAML, which is not repeated here (see {@link OpaFileHash}).
 *
 * <p>Stateless; safe for use by any number of threads.
 */
public final class OpaJsonHash {

  private OpaJsonHash() {}

  /**
   * Lower-case hex SHA-256 of {@link #canonicalBytes(byte[]) the structural encoding} of {@code
   * json}.
   */
  public static String sha256Hex(byte[] json) {
    return HexFormat.of().formatHex(Sha256.of(canonicalBytes(json)));
  }

  /**
   * The bytes OPA feeds its hash for this JSON file.
   *
   * @throws IllegalArgumentException if {@code json} (after an optional BOM) is not exactly one
   *     JSON value; the message says where, and quotes nothing of the input
   */
  public static byte[] canonicalBytes(byte[] json) {
    // OPA strips a BOM only when there are more than two bytes; a BOM is three anyway.
    int start =
        json.length > 2
                && (json[0] & 0xff) == 0xef
                && (json[1] & 0xff) == 0xbb
                && (json[2] & 0xff) == 0xbf
            ? 3
            : 0;
    return CanonicalJson.of(json, start);
  }
}
