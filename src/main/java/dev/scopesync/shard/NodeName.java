package dev.scopesync.shard;

import dev.scopesync.config.ShardSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A fetcher node's stable name (SHARDING.md §3.1): {@code cluster.nodeName}, or else a UUID made
 * once and kept in {@code <git.baseDir>/node-name}. The name belongs to the disk that holds the
 * clones, so a node restarted on the same disk owns the same sources and reuses its clones; the
 * random Vert.x node id would strand them.
 *
 * <p>Blocking (file IO): call it at start, off the event loop.
 */
public final class NodeName {
  /** Letters, digits, {@code .}, {@code _} and {@code -}; 1 to 64 characters. */
  public static final Pattern SHAPE = ShardSettings.NODE_NAME;

  static final String FILE = "node-name";

  private NodeName() {}

  /**
   * The configured name when there is one, else the one stored under {@code baseDir}, made now when
   * there is none. A stored name that is not of {@link #SHAPE} stops the start: the file was edited
   * or damaged, and a new name would silently move every source.
   */
  public static String resolve(String configured, Path baseDir) throws IOException {
    if (configured != null) {
      return check(configured, "cluster.nodeName");
    }
    Path file = baseDir.resolve(FILE);
    if (Files.exists(file)) {
      return check(Files.readString(file, StandardCharsets.UTF_8).strip(), file.toString());
    }
    Files.createDirectories(baseDir);
    Path scratch = Files.createTempFile(baseDir, ".node-name", ".tmp");
    try {
      Files.writeString(scratch, UUID.randomUUID() + "\n", StandardCharsets.UTF_8);
      try {
        // A hard link never replaces: of two starts racing on one disk, the first name stays.
        Files.createLink(file, scratch);
      } catch (FileAlreadyExistsException raced) {
        // the other start's name is read below
      }
    } finally {
      Files.deleteIfExists(scratch);
    }
    return check(Files.readString(file, StandardCharsets.UTF_8).strip(), file.toString());
  }

  private static String check(String name, String where) {
    if (!SHAPE.matcher(name).matches()) {
      throw new IllegalArgumentException(
          where + ": a node name is 1 to 64 letters, digits, '.', '_' or '-', got '" + name + "'");
    }
    return name;
  }
}
