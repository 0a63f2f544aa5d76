package dev.scopesync.store.file;

import dev.scopesync.model.Scope;
import dev.scopesync.validation.ScopeParser;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the file store finds when it opens (blocking): every scope file read, then the write-ahead
 * journal's intact records replayed over them. A write cut short before its rename ({@code .tmp})
 * is removed; a record cut short by a crash was never acknowledged and is ignored; a scope file
 * that does not parse is skipped with an error line.
 */
final class FileStoreRecovery {
  private static final Logger LOG = LoggerFactory.getLogger(FileStoreRecovery.class);

  /**
   * @param scopes every scope after the replay
   * @param segments the journal's segments by sequence (the store adopts them)
   * @param toWrite scope files that differ from the replayed state: their contents (null: delete)
   * @param toForce scope files that already hold the replayed state: forced at the first checkpoint
   * @param records journal records applied
   */
  record Found(
      Map<String, Scope> scopes,
      TreeMap<Long, Path> segments,
      LinkedHashMap<String, byte[]> toWrite,
      List<String> toForce,
      int records) {
    /** The newest segment's sequence, 0 when there is no journal. */
    long newestSegment() {
      return segments.isEmpty() ? 0 : segments.lastKey();
    }
  }

  private FileStoreRecovery() {}

  /** Creates {@code dir} if needed and reads it. */
  static Found read(Path dir, ScopeParser parser) throws IOException {
    Files.createDirectories(dir);
    List<Path> scopeFiles = new ArrayList<>();
    TreeMap<Long, Path> segments = new TreeMap<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        long sequence = ScopeJournal.sequenceOf(name);
        if (name.endsWith(FileStoreDisk.TMP_SUFFIX)) {
          Files.deleteIfExists(entry); // a write cut short before its rename
        } else if (name.endsWith(FileStoreDisk.SUFFIX)) {
          scopeFiles.add(entry);
        } else if (sequence >= 0) {
          segments.put(sequence, entry);
        }
      }
    }
    Map<String, Scope> scopes = new HashMap<>();
    Set<Path> unreadable = new HashSet<>();
    for (Path file : scopeFiles) {
      try {
        Scope scope = parser.parse(new JsonObject(Files.readString(file)));
        scopes.put(scope.scopeId(), scope);
      } catch (RuntimeException | CharacterCodingException e) {
        unreadable.add(file);
      }
    }
    LinkedHashMap<String, byte[]> toWrite = new LinkedHashMap<>();
    List<String> toForce = new ArrayList<>();
    int records = replay(dir, parser, segments, scopes, unreadable, toWrite, toForce);
    for (Path file : unreadable) {
      LOG.error("skipping unreadable scope file {}", file);
    }
    return new Found(scopes, segments, toWrite, toForce, records);
  }

  /**
   * Applies the journal's intact records to {@code scopes}, in order, and sorts the scope files
   * they touched into those that differ from the result (to write) and those that match it (to
   * force). Only the newest run of consecutive segments counts: one before a gap was checkpointed
   * already (segments are deleted oldest first). Answers the records applied.
   */
  private static int replay(
      Path dir,
      ScopeParser parser,
      TreeMap<Long, Path> segments,
      Map<String, Scope> scopes,
      Set<Path> unreadable,
      LinkedHashMap<String, byte[]> toWrite,
      List<String> toForce)
      throws IOException {
    if (segments.isEmpty()) {
      return 0;
    }
    long first = segments.lastKey();
    while (segments.containsKey(first - 1)) {
      first--;
    }
    Map<String, Scope> before = new HashMap<>();
    List<String> order = new ArrayList<>();
    int records = 0;
    for (Map.Entry<Long, Path> segment : segments.tailMap(first, true).entrySet()) {
      ScopeJournal.Contents contents = ScopeJournal.decode(Files.readAllBytes(segment.getValue()));
      for (JsonObject record : contents.records()) {
        String scopeId;
        Scope scope = null;
        if (record.getValue("put") instanceof JsonObject doc) {
          try {
            scope = parser.parse(doc);
          } catch (RuntimeException e) {
            LOG.error(
                "journal {}: skipping a stored scope that does not parse: {}",
                segment.getValue(),
                e.getMessage());
            continue;
          }
          scopeId = scope.scopeId();
        } else {
          scopeId = record.getString("delete");
        }
        if (!before.containsKey(scopeId)) {
          before.put(scopeId, scopes.get(scopeId));
          order.add(scopeId);
        }
        if (scope == null) {
          scopes.remove(scopeId);
        } else {
          scopes.put(scopeId, scope);
        }
        records++;
      }
      if (contents.torn()) {
        LOG.warn(
            "journal {}: ignoring the last {} bytes ({} at byte {}): a write cut short by a crash, "
                + "never acknowledged",
            segment.getValue(),
            contents.totalBytes() - contents.validBytes(),
            contents.problem(),
            contents.validBytes());
      }
    }
    for (String scopeId : order) {
      Scope now = scopes.get(scopeId);
      Path file = FileStoreDisk.fileOf(dir, scopeId);
      if (Objects.equals(now, before.get(scopeId)) && !unreadable.contains(file)) {
        if (now != null) {
          toForce.add(scopeId); // the file holds it already: force it at the checkpoint
        }
      } else {
        toWrite.put(scopeId, now == null ? null : FileStoreDisk.contentOf(now));
      }
      unreadable.remove(file);
    }
    return records;
  }
}
