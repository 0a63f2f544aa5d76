package dev.scopesync.store.file;

import static dev.scopesync.store.ScopeStoreConformanceTest.STORED;
import static dev.scopesync.store.ScopeStoreConformanceTest.await;
import static dev.scopesync.store.ScopeStoreConformanceTest.byId;
import static dev.scopesync.store.ScopeStoreConformanceTest.failureOf;
import static dev.scopesync.store.ScopeStoreConformanceTest.scope;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.model.Scope;
import dev.scopesync.store.StoreUnavailableException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file store's journal and group commit, on real files: replay after a crash (a journal written
 * here by hand, byte for byte in the documented format, torn tail included), the order of one
 * scope's writes, fsyncs shared by concurrent writes, checkpoints, and the layout a closed store
 * leaves.
 */
class FileScopeStoreJournalTest {
  /** Checkpoints as soon as possible, on small segments. */
  private static final FileScopeStore.Tuning EAGER =
      new FileScopeStore.Tuning(4096, 20, 0, 1000, 8192);

  /** Never seals or checkpoints by itself: the journal keeps everything until close. */
  private static final FileScopeStore.Tuning HOARDING =
      new FileScopeStore.Tuning(1L << 30, 3_600_000, 3_600_000, 1000, 1 << 20);

  @TempDir Path tmp;
  private Path dir;
  private Vertx vertx;
  private final List<FileScopeStore> opened = new ArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    dir = tmp.resolve("scopes");
  }

  @AfterEach
  void stop() throws Exception {
    try {
      for (FileScopeStore store : opened) {
        store.close().await(60, TimeUnit.SECONDS);
      }
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  private FileScopeStore open(Path at, FileScopeStore.Tuning tuning) throws Exception {
    FileScopeStore store = await(FileScopeStore.open(vertx, at, STORED, tuning));
    opened.add(store);
    return store;
  }

  private void close(FileScopeStore store) throws Exception {
    opened.remove(store);
    await(store.close());
  }

  // --- replay ----------------------------------------------------------------------------

  @Test
  void replaysTheJournalsCompleteRecordsInOrderAndIgnoresATornTail() throws Exception {
    FileScopeStore first = open(dir, FileScopeStore.Tuning.DEFAULT);
    await(first.put(scope("a", "main")));
    await(first.put(scope("b", "main")));
    close(first);
    assertEquals(List.of(), journalFiles(dir));

    // What a crash leaves: records forced by appends that were acknowledged, and the start
    // of one that never finished (so was never acknowledged).
    ByteArrayOutputStream journal = new ByteArrayOutputStream();
    journal.writeBytes(putLine(scope("c", "v1")));
    journal.writeBytes(putLine(scope("a", "release")));
    journal.writeBytes(deleteLine("b"));
    journal.writeBytes(putLine(scope("c", "v2")));
    journal.writeBytes(deleteLine("never-existed"));
    journal.writeBytes(putLine(scope("d", "main")));
    byte[] torn = putLine(scope("e", "main"));
    journal.write(torn, 0, torn.length / 2);
    Files.write(dir.resolve("journal-0000000000000042.log"), journal.toByteArray());

    FileScopeStore store = open(dir, FileScopeStore.Tuning.DEFAULT);
    Map<String, Scope> expected =
        byId(List.of(scope("a", "release"), scope("c", "v2"), scope("d", "main")));
    assertEquals(expected, byId(await(store.all())));
    assertNull(await(store.get("e")));
    // Writes after the replay go on from there.
    assertEquals(scope("c", "v2"), await(store.put(scope("c", "v3"))));
    close(store);

    // The replay reached the scope files: one whole file per scope, no journal left.
    expected = byId(List.of(scope("a", "release"), scope("c", "v3"), scope("d", "main")));
    assertEquals(expected, scopeFiles(dir));
    assertEquals(List.of(), journalFiles(dir));
  }

  @Test
  void aRecordWithAWrongChecksumEndsTheReplayOfItsSegment() throws Exception {
    byte[] good = putLine(scope("good", "main"));
    byte[] bad = putLine(scope("bad", "main"));
    bad[0] = (byte) (bad[0] == '0' ? '1' : '0'); // a complete line whose checksum does not match
    byte[] after = putLine(scope("after", "main"));
    Files.createDirectories(dir);
    Files.write(dir.resolve("journal-0000000000000001.log"), concat(good, bad, after));

    FileScopeStore store = open(dir, FileScopeStore.Tuning.DEFAULT);
    assertEquals(List.of(scope("good", "main")), await(store.all()));
    close(store);
    assertEquals(byId(List.of(scope("good", "main"))), scopeFiles(dir));
  }

  @Test
  void aJournalHoldingOnlyATornRecordChangesNothing() throws Exception {
    byte[] torn = putLine(scope("torn", "main"));
    Files.createDirectories(dir);
    Files.write(
        dir.resolve("journal-0000000000000001.log"),
        java.util.Arrays.copyOf(torn, torn.length - 1));
    FileScopeStore store = open(dir, FileScopeStore.Tuning.DEFAULT);
    assertEquals(List.of(), await(store.all()));
    await(store.put(scope("x", "main")));
    close(store);
    assertEquals(byId(List.of(scope("x", "main"))), scopeFiles(dir));
    assertEquals(List.of(), journalFiles(dir));
  }

  @Test
  void aSegmentBeforeAGapWasCheckpointedAndIsNotReplayed() throws Exception {
    // Segments are deleted oldest first after their checkpoint: if 4 is gone, 3 was folded in.
    FileScopeStore first = open(dir, FileScopeStore.Tuning.DEFAULT);
    await(first.put(scope("a", "new")));
    close(first);
    Files.write(
        dir.resolve("journal-0000000000000003.log"),
        concat(putLine(scope("a", "old")), putLine(scope("z", "main"))));
    Files.write(dir.resolve("journal-0000000000000005.log"), putLine(scope("b", "main")));

    FileScopeStore store = open(dir, FileScopeStore.Tuning.DEFAULT);
    assertEquals(byId(List.of(scope("a", "new"), scope("b", "main"))), byId(await(store.all())));
    close(store);
    assertEquals(List.of(), journalFiles(dir));
  }

  @Test
  void aDamagedScopeFileIsRepairedFromTheJournal() throws Exception {
    FileScopeStore first = open(dir, FileScopeStore.Tuning.DEFAULT);
    await(first.put(scope("a", "main")));
    close(first);
    // A power failure after the rename but before the data reached the disk: the journal still has
    // the put.
    Path file = FileStoreDisk.fileOf(dir, "a");
    Files.write(file, new byte[] {0, 0, 0, 0});
    Files.write(dir.resolve("journal-0000000000000001.log"), putLine(scope("a", "main")));
    Files.writeString(
        dir.resolve(file.getFileName() + ".tmp"),
        "{\"scope_id\": \"a\", \"pol"); // a write cut short

    FileScopeStore store = open(dir, FileScopeStore.Tuning.DEFAULT);
    assertEquals(scope("a", "main"), await(store.get("a")));
    close(store);
    assertEquals(byId(List.of(scope("a", "main"))), scopeFiles(dir));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(1, files.count(), "no .tmp or journal left");
    }
  }

  @Test
  void acknowledgedWritesLiveInTheJournalAloneUntilTheFilesHaveThem() throws Exception {
    FileScopeStore store = open(dir, HOARDING);
    List<Future<Scope>> writes = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      writes.add(store.put(scope("tenant-" + i, "main")));
    }
    for (int i = 0; i < 300; i += 3) {
      writes.add(store.delete("tenant-" + i));
    }
    await(Future.all(writes));
    Map<String, Scope> expected = byId(await(store.all()));
    assertEquals(200, expected.size());

    // A crash before any scope file was written: only the journal made it to the disk.
    Path crashed = tmp.resolve("crashed");
    Files.createDirectories(crashed);
    for (Path segment : journalFiles(dir)) {
      Files.copy(segment, crashed.resolve(segment.getFileName()));
    }
    FileScopeStore recovered = open(crashed, FileScopeStore.Tuning.DEFAULT);
    assertEquals(expected, byId(await(recovered.all())));
    close(recovered);
    assertEquals(expected, scopeFiles(crashed));

    // A crash at an arbitrary point of the file writes: whatever files were there, plus the
    // journal.
    Path snapshot = tmp.resolve("snapshot");
    Files.createDirectories(snapshot);
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.toList()) {
        Files.copy(file, snapshot.resolve(file.getFileName()));
      }
    }
    FileScopeStore fromSnapshot = open(snapshot, FileScopeStore.Tuning.DEFAULT);
    assertEquals(expected, byId(await(fromSnapshot.all())));
  }

  // --- order and group commit -------------------------------------------------------------

  @Test
  void putDeletePutOfOneScopeKeepTheirOrder() throws Exception {
    FileScopeStore store = open(dir, EAGER);
    Scope v1 = scope("a", "v1");
    Scope v2 = scope("a", "v2");
    Scope v3 = scope("a", "v3");
    // Asked for without waiting, so they go through the queue (and likely one commit) together.
    List<Future<Scope>> answers =
        List.of(
            store.put(v1),
            store.delete("a"),
            store.put(v2),
            store.put(v3),
            store.delete("a"),
            store.delete("a"),
            store.put(v1));
    await(Future.all(answers));
    assertEquals(
        java.util.Arrays.asList(null, v1, null, v2, v3, null, null),
        answers.stream().map(Future::result).toList());
    assertEquals(v1, await(store.get("a")));

    List<Future<Scope>> more =
        List.of(store.put(v2), store.delete("a"), store.put(v3), store.delete("a"));
    await(Future.all(more));
    assertEquals(
        java.util.Arrays.asList(v1, v2, null, v3), more.stream().map(Future::result).toList());
    await(store.put(scope("b", "main")));
    await(store.delete("b"));
    await(store.put(scope("b", "last")));
    close(store);

    FileScopeStore reopened = open(dir, EAGER);
    assertNull(await(reopened.get("a")));
    assertEquals(scope("b", "last"), await(reopened.get("b")));
    assertEquals(byId(List.of(scope("b", "last"))), scopeFiles(dir));
  }

  @Test
  void concurrentPutsShareFsyncs() throws Exception {
    FileScopeStore store = open(dir, FileScopeStore.Tuning.DEFAULT);
    for (int puts : new int[] {64, 200}) {
      long before = store.journalForces();
      List<Future<Scope>> writes =
          IntStream.range(0, puts)
              .mapToObj(i -> store.put(scope("tenant-" + puts + "-" + i, "main")))
              .toList();
      await(Future.all(writes));
      long forces = store.journalForces() - before;
      System.out.println(puts + " concurrent puts: " + forces + " journal forces");
      assertTrue(
          forces >= 1 && forces < puts / 4,
          puts
              + " concurrent puts took "
              + forces
              + " journal forces; expected far fewer than puts");
    }
    // One at a time, each put is its own commit: acknowledged only after its own force.
    long before = store.journalForces();
    for (int i = 0; i < 10; i++) {
      await(store.put(scope("sequential-" + i, "main")));
    }
    assertEquals(10, store.journalForces() - before);
  }

  @Test
  void commitsWaitForTheFilesWhenTheyFallBehindAndAllComplete() throws Exception {
    // A backlog of at most 8 unwritten changes: most commits wait for the file steps.
    FileScopeStore store = open(dir, new FileScopeStore.Tuning(4096, 20, 0, 1000, 8));
    List<Scope> scopes =
        IntStream.range(0, 500).mapToObj(i -> scope("tenant-" + i, "main")).toList();
    List<Future<Scope>> writes = scopes.stream().map(store::put).collect(Collectors.toList());
    await(Future.all(writes));
    assertEquals(byId(scopes), byId(await(store.all())));
    close(store);
    assertEquals(byId(scopes), scopeFiles(dir));
  }

  // --- checkpoints and close --------------------------------------------------------------

  @Test
  void checkpointsFoldTheJournalIntoTheScopeFiles() throws Exception {
    FileScopeStore store = open(dir, EAGER);
    List<Scope> scopes =
        IntStream.range(0, 200).mapToObj(i -> scope("tenant-" + i, "main")).toList();
    await(Future.all(scopes.stream().map(store::put).toList()));
    await(store.delete("tenant-7"));
    // 4 KB segments, sealed within 20 ms, checkpointed once written: the journal empties by itself.
    waitUntil(() -> store.checkpoints() > 0 && journalFiles(dir).isEmpty());
    Map<String, Scope> expected = byId(await(store.all()));
    assertEquals(199, expected.size());
    assertEquals(expected, scopeFiles(dir));
    assertTrue(
        store.checkpoints() > 1, "several segments, several checkpoints: " + store.checkpoints());
  }

  @Test
  void closeLeavesOnlyScopeFilesAndLaterWritesFail() throws Exception {
    FileScopeStore store = open(dir, HOARDING);
    await(
        Future.all(
            IntStream.range(0, 50)
                .mapToObj(i -> store.put(scope("tenant-" + i, "main")))
                .toList()));
    assertTrue(!journalFiles(dir).isEmpty());
    close(store);
    assertEquals(List.of(), journalFiles(dir));
    assertEquals(50, scopeFiles(dir).size());
    assertInstanceOf(StoreUnavailableException.class, failureOf(store.put(scope("late", "main"))));
    assertInstanceOf(StoreUnavailableException.class, failureOf(store.delete("tenant-1")));
  }

  @Test
  void theScopeFilesAreTheStoredJsonNamedByTheIdsSha256() throws Exception {
    FileScopeStore store = open(dir, FileScopeStore.Tuning.DEFAULT);
    Scope scope = scope("tenant ü with:odd*chars", "main");
    await(store.put(scope));
    close(store);
    byte[] digest =
        java.security.MessageDigest.getInstance("SHA-256")
            .digest(scope.scopeId().getBytes(StandardCharsets.UTF_8));
    Path file = dir.resolve(HexFormat.of().formatHex(digest) + ".json");
    assertEquals(scope.toStoredJson(), new JsonObject(Files.readString(file)));
  }

  // --- helpers ----------------------------------------------------------------------------

  /** A journal line as documented in ScopeJournal, built here independently of it. */
  static byte[] putLine(Scope scope) {
    return line(new JsonObject().put("put", scope.toStoredJson()).encode());
  }

  static byte[] deleteLine(String scopeId) {
    return line(new JsonObject().put("delete", scopeId).encode());
  }

  private static byte[] line(String json) {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    CRC32 crc = new CRC32();
    crc.update(body);
    return concat(
        String.format("%08x ", crc.getValue()).getBytes(StandardCharsets.US_ASCII),
        body,
        new byte[] {'\n'});
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  private static List<Path> journalFiles(Path at) {
    try (Stream<Path> files = Files.list(at)) {
      return files.filter(f -> f.getFileName().toString().startsWith("journal-")).sorted().toList();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Every {@code .json} file, parsed, by scope id; each must be named by its id's hash. */
  private static Map<String, Scope> scopeFiles(Path at) throws Exception {
    List<Scope> scopes = new ArrayList<>();
    try (Stream<Path> files = Files.list(at)) {
      for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".json")).toList()) {
        Scope scope = STORED.parse(new JsonObject(Files.readString(file)));
        assertEquals(FileStoreDisk.fileOf(at, scope.scopeId()), file);
        scopes.add(scope);
      }
    }
    return byId(scopes);
  }

  private static void waitUntil(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "condition not met within 30 s");
      Thread.sleep(20);
    }
  }
}
