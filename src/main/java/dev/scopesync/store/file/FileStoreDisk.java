package dev.scopesync.store.file;

import dev.scopesync.digest.Sha256;
import dev.scopesync.model.Scope;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/** The file store's layout and its few disk operations. */
final class FileStoreDisk {
  static final String SUFFIX = ".json";

  /** A scope file being written, before its rename: {@code <name>.json.tmp}. */
  static final String TMP_SUFFIX = SUFFIX + ".tmp";

  private static final boolean WINDOWS =
      System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

  private FileStoreDisk() {}

  /**
   * {@code <dir>/<sha-256 of the id, lower-case hex>.json}: ids may hold characters no file system
   * accepts.
   */
  static Path fileOf(Path dir, String scopeId) {
    return dir.resolve(Sha256.hex(scopeId) + SUFFIX);
  }

  /**
   * A scope file's content: the scope's stored JSON in UTF-8 (also what a journal put record
   * holds).
   */
  static byte[] contentOf(Scope scope) {
    return scope.toStoredJson().encode().getBytes(StandardCharsets.UTF_8);
  }

  /** Writes a scope's file with {@link #replace} ({@code body} null: deletes it). */
  static void writeScopeFile(Path dir, String scopeId, byte[] body) throws IOException {
    Path file = fileOf(dir, scopeId);
    if (body == null) {
      Files.deleteIfExists(file);
    } else {
      replace(file, body);
    }
  }

  /**
   * Writes {@code body} to a temporary file and renames it over {@code target}: a reader sees the
   * old or the new content, never part of one. Nothing is forced here; a checkpoint forces the file
   * and its directory later (the journal covers the meantime).
   */
  static void replace(Path target, byte[] body) throws IOException {
    String name = target.getFileName().toString();
    Path tmp =
        target.resolveSibling(name.substring(0, name.length() - SUFFIX.length()) + TMP_SUFFIX);
    try (FileChannel out =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buffer = ByteBuffer.wrap(body);
      while (buffer.hasRemaining()) {
        out.write(buffer);
      }
    }
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** fsync of a file's data and metadata; a file deleted meanwhile needs none. */
  static void forceFile(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (NoSuchFileException e) {
      // deleted by a later change: the directory force covers it
    }
  }

  /**
   * fsync of a directory, so the renames, creations and deletions in it survive a power failure
   * (Linux and macOS; Windows cannot open a directory and needs no such step).
   */
  static void forceDirectory(Path dir) throws IOException {
    if (WINDOWS) {
      return;
    }
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }
}
