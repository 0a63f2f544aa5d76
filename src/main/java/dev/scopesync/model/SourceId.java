package dev.scopesync.model;

import dev.scopesync.digest.Sha256;
import java.util.HexFormat;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

/**
 * Names the clone a scope's policy lives in: OPAL's formula {@code sha256_hex(url) + "-" +
 * (sha256(branch)[0] mod shards)}, kept exact so an OPAL server's clone directories are reused.
 */
public final class SourceId {
  /** The shape of a source id; only directories of this shape are ever swept. */
  public static final Pattern SHAPE = Pattern.compile("^[0-9a-f]{64}-[0-9]{1,3}$");

  /**
   * Source ids computed since start: the scale tests prove with it that no request hashes every
   * scope's url.
   */
  private static final LongAdder COMPUTED = new LongAdder();

  private SourceId() {}

  /** How many source ids were computed (each one two SHA-256 digests). */
  public static long computed() {
    return COMPUTED.sum();
  }

  public static String of(String url, String branch, int shards) {
    if (shards < 1) {
      throw new IllegalArgumentException("shards must be at least 1, got " + shards);
    }
    COMPUTED.increment();
    int shard = (Sha256.of(branch)[0] & 0xff) % shards;
    return HexFormat.of().formatHex(Sha256.of(url)) + "-" + shard;
  }

  public static String of(GitPolicySource source, int shards) {
    return of(source.url(), source.branch(), shards);
  }
}
