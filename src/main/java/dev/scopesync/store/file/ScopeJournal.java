package dev.scopesync.store.file;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * The file store's write-ahead journal: segment files {@code journal-<sequence>.log} in the store
 * directory, each a series of records, one per line:
 *
 * <pre>
 *   crc32-of-json-as-8-lower-case-hex-digits SP json LF
 *   json = {"put": &lt;the stored scope, as in its .json file&gt;} | {"delete": "&lt;scope id&gt;"}
 * </pre>
 *
 * A record counts only when its line is complete and its checksum matches, so a record torn by a
 * crash in the middle of an append is recognised and ignored (with everything after it in that
 * segment, which can only be other records of the same unacknowledged append). JSON never holds a
 * raw line feed (the encoder escapes control characters), so LF delimits records.
 *
 * <p>Appends go to the newest segment, created (and its directory entry forced) on the first append
 * after a {@link #seal}; {@link #append} returns once the bytes are forced to disk ({@code
 * fdatasync}). Sealed segments are deleted by {@link #deleteThrough} after a checkpoint has made
 * their effects durable in the scope files. Not thread safe for appends: one writer at a time (the
 * store's commit task); sealed-segment bookkeeping may be read and deleted from another thread.
 */
final class ScopeJournal implements AutoCloseable {
  static final String PREFIX = "journal-";
  static final String SUFFIX = ".log";
  private static final Pattern NAME =
      Pattern.compile(Pattern.quote(PREFIX) + "(\\d{1,18})" + Pattern.quote(SUFFIX));
  private static final byte[] PUT_OPEN = "{\"put\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CLOSE = "}".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private final Path dir;
  private final AtomicLong forces = new AtomicLong();

  /** Sealed, not yet deleted segments by sequence number. */
  private final ConcurrentSkipListMap<Long, Path> sealed = new ConcurrentSkipListMap<>();

  private long nextSequence;
  private FileChannel channel;
  private long current;
  private long size;
  private long lastSealed;

  ScopeJournal(Path dir, long nextSequence) {
    this.dir = dir;
    this.nextSequence = nextSequence;
  }

  // --- records ------------------------------------------------------------------------------

  /** The record line for a put of a scope whose stored JSON is {@code scopeJson}. */
  static byte[] putRecord(byte[] scopeJson) {
    byte[] json = new byte[PUT_OPEN.length + scopeJson.length + CLOSE.length];
    System.arraycopy(PUT_OPEN, 0, json, 0, PUT_OPEN.length);
    System.arraycopy(scopeJson, 0, json, PUT_OPEN.length, scopeJson.length);
    System.arraycopy(CLOSE, 0, json, PUT_OPEN.length + scopeJson.length, CLOSE.length);
    return line(json);
  }

  static byte[] deleteRecord(String scopeId) {
    return line(new JsonObject().put("delete", scopeId).encode().getBytes(StandardCharsets.UTF_8));
  }

  /** {@code crc SP json LF}. */
  static byte[] line(byte[] json) {
    CRC32 crc = new CRC32();
    crc.update(json);
    long value = crc.getValue();
    byte[] line = new byte[9 + json.length + 1];
    for (int i = 7; i >= 0; i--) {
      line[i] = HEX[(int) (value & 0xf)];
      value >>>= 4;
    }
    line[8] = ' ';
    System.arraycopy(json, 0, line, 9, json.length);
    line[line.length - 1] = '\n';
    return line;
  }

  /**
   * The complete, intact records at the start of {@code bytes}, in order, and how many bytes they
   * span; the first incomplete or damaged record ends the reading.
   */
  static Contents decode(byte[] bytes) {
    List<JsonObject> records = new ArrayList<>();
    int start = 0;
    String problem = null;
    while (start < bytes.length) {
      int end = indexOf(bytes, (byte) '\n', start);
      if (end < 0) {
        problem = "incomplete record";
        break;
      }
      JsonObject record = parse(bytes, start, end);
      if (record == null) {
        problem = "damaged record";
        break;
      }
      records.add(record);
      start = end + 1;
    }
    return new Contents(records, start, bytes.length, problem);
  }

  /** What a segment holds: its intact records, and what ended the reading early, if anything. */
  record Contents(List<JsonObject> records, long validBytes, long totalBytes, String problem) {
    boolean torn() {
      return validBytes < totalBytes;
    }
  }

  private static JsonObject parse(byte[] bytes, int start, int end) {
    if (end - start < 10 || bytes[start + 8] != ' ') {
      return null;
    }
    long expected = 0;
    for (int i = start; i < start + 8; i++) {
      int digit = Character.digit(bytes[i], 16);
      if (digit < 0) {
        return null;
      }
      expected = (expected << 4) | digit;
    }
    CRC32 crc = new CRC32();
    crc.update(bytes, start + 9, end - start - 9);
    if (crc.getValue() != expected) {
      return null;
    }
    try {
      JsonObject record =
          new JsonObject(new String(bytes, start + 9, end - start - 9, StandardCharsets.UTF_8));
      boolean put = record.getValue("put") instanceof JsonObject;
      boolean delete = record.getValue("delete") instanceof String;
      return put != delete ? record : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static int indexOf(byte[] bytes, byte b, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }

  // --- segments on disk ---------------------------------------------------------------------

  /** The sequence number of a segment's file name, or -1 when it names no segment. */
  static long sequenceOf(String fileName) {
    Matcher m = NAME.matcher(fileName);
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }

  static String fileName(long sequence) {
    return PREFIX + String.format("%016d", sequence) + SUFFIX;
  }

  // --- appending ----------------------------------------------------------------------------

  /**
   * Appends {@code records} (whole record lines) and forces them to disk. On failure the segment is
   * cut back to where it was; if even that fails, the segment is sealed as it is (replay stops at
   * the damage) and the next append starts a new one.
   */
  void append(ByteBuffer records) throws IOException {
    if (channel == null) {
      startSegment();
    }
    long before = size;
    try {
      long position = before;
      while (records.hasRemaining()) {
        position += channel.write(records, position);
      }
      channel.force(false);
      forces.incrementAndGet();
      size = position;
    } catch (IOException e) {
      try {
        channel.truncate(before);
        channel.force(false);
      } catch (IOException | RuntimeException cut) {
        e.addSuppressed(cut);
        seal();
      }
      throw e;
    }
  }

  /**
   * Creates the next segment and forces its directory entry. Its sequence number is used up only
   * once that succeeded: replay trusts only consecutive numbers (a gap means the segments before it
   * were checkpointed), so a failed attempt must leave no gap.
   */
  private void startSegment() throws IOException {
    Path file = dir.resolve(fileName(nextSequence));
    // No other file has this name: open numbers segments past every one it found.
    FileChannel opened =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
    try {
      FileStoreDisk.forceDirectory(dir);
    } catch (IOException e) {
      opened.close();
      throw e;
    }
    channel = opened;
    current = nextSequence++;
    size = 0;
  }

  /**
   * Closes the segment being appended to, if any, and answers its sequence number (0 when there was
   * none); the next append starts a new segment.
   */
  long seal() {
    if (channel == null) {
      return 0;
    }
    try {
      channel.close();
    } catch (IOException e) {
      // Every byte that counts was forced by append.
    }
    channel = null;
    sealed.put(current, dir.resolve(fileName(current)));
    lastSealed = current;
    return current;
  }

  /** The newest segment sealed so far (0: none). */
  long lastSealed() {
    return lastSealed;
  }

  /** Bytes in the segment being appended to. */
  long size() {
    return channel == null ? 0 : size;
  }

  /** How many times the journal was forced to disk (one per group of records). */
  long forces() {
    return forces.get();
  }

  /** Takes over a segment found at open (replayed, or stale): it is deleted like a sealed one. */
  void adopt(long sequence, Path file) {
    sealed.put(sequence, file);
  }

  /** Deletes the sealed segments up to and including {@code sequence}, oldest first. */
  void deleteThrough(long sequence) throws IOException {
    for (Long s : List.copyOf(sealed.headMap(sequence, true).keySet())) {
      Files.deleteIfExists(sealed.get(s));
      sealed.remove(s);
    }
  }

  @Override
  public void close() {
    seal();
  }
}
