package dev.scopesync.store.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The write-behind's books on their own, with a hand-set clock: which changes a step writes, what a
 * failed write leaves, when a sealed generation's checkpoint is due and what it forces, and when a
 * commit that waits for the files may go on.
 */
class PendingChangesTest {
  /** Checkpoints 500 ms after the last write; more than 1 waiting segment is too many. */
  private static final FileScopeStore.Tuning TUNING =
      new FileScopeStore.Tuning(4096, 20, 500, 1, 100);

  private final AtomicLong now = new AtomicLong(1_000);

  private PendingChanges empty() {
    return new PendingChanges(TUNING, now::get, Map.of(), List.of(), 0);
  }

  @Test
  void aNewerGenerationIsWrittenOnlyOnceEveryOlderOneIs() {
    PendingChanges books = empty();
    books.add(changes("a", "a1", "b", "b1"));
    books.seal(1);
    books.add(changes("a", "a2"));
    assertEquals(3, books.unwritten());

    assertEquals(List.of("a=a1"), contents(books.takeWrites(1)));
    assertEquals(List.of("b=b1"), contents(books.takeWrites(5)));
    assertEquals(List.of("a=a2"), contents(books.takeWrites(5)));
    assertEquals(List.of(), contents(books.takeWrites(5)));
    assertEquals(0, books.unwritten());
  }

  @Test
  void aFailedWriteGoesBackUnlessANewerChangeOfItsScopeCameMeanwhile() {
    PendingChanges books = empty();
    books.add(changes("a", "a1", "b", "b1"));
    PendingChanges.Writes taken = books.takeWrites(10);
    books.add(changes("a", "a2"));

    books.written(taken, List.of(), new ArrayList<>(taken.changes()));

    assertEquals(2, books.unwritten());
    assertEquals(List.of("a=a2", "b=b1"), contents(books.takeWrites(10)));
  }

  @Test
  void aWrittenSealedGenerationIsCheckpointedWhenDueAndForcesOnlyTheFilesStillThere() {
    PendingChanges books = empty();
    books.add(changes("a", "a1", "gone", null));
    books.seal(5);
    PendingChanges.Writes taken = books.takeWrites(10);
    books.written(taken, java.util.Arrays.asList("a", null), List.of());

    now.set(1_400);
    books.startCheckpointIfDue(false);
    assertEquals(List.of(), books.nextForces(10));
    assertEquals(100, books.nextCheckpointInMillis());
    assertFalse(books.hasWorkNow(false), "not due yet");
    assertTrue(books.hasWorkNow(true), "closing: due at once");

    now.set(1_500);
    assertTrue(books.hasWorkNow(false));
    books.startCheckpointIfDue(false);
    assertEquals(List.of("a"), books.nextForces(10));
    assertEquals(5, books.checkpointThrough());
    assertFalse(books.checkpointForced());
    books.forced(1);
    assertTrue(books.checkpointForced());
    assertEquals(List.of(), books.nextForces(10));

    books.checkpointDone();
    assertFalse(books.checkpointForced());
    assertFalse(books.hasWorkNow(false));
    assertEquals(-1, books.nextCheckpointInMillis());
  }

  @Test
  void tooManyWaitingGenerationsCheckpointTheOldestAtOnceAndNoMore() {
    PendingChanges books = empty();
    for (int segment = 1; segment <= 3; segment++) {
      books.add(changes("s" + segment, "v"));
      books.seal(segment);
      PendingChanges.Writes taken = books.takeWrites(10);
      books.written(taken, List.of("s" + segment), List.of());
    }
    // three waiting, one allowed, none old enough: the oldest two go now
    assertTrue(books.hasWorkNow(false));
    books.startCheckpointIfDue(false);
    assertEquals(List.of("s1", "s2"), books.nextForces(10));
    assertEquals(2, books.checkpointThrough());

    books.startCheckpointIfDue(true);
    assertEquals(2, books.checkpointThrough(), "one checkpoint at a time");
    books.forced(2);
    books.checkpointDone();
    assertEquals(500, books.nextCheckpointInMillis());
    assertFalse(books.hasWorkNow(false));
  }

  @Test
  void theReplayedSegmentsAreTheFirstGenerationWithTheirFilesToWriteAndToForce() {
    PendingChanges books =
        new PendingChanges(TUNING, now::get, changes("x", "x1", "y", null), List.of("z"), 7);
    assertEquals(2, books.unwritten());
    PendingChanges.Writes taken = books.takeWrites(10);
    assertEquals(List.of("x=x1", "y=null"), contents(taken));
    books.written(taken, java.util.Arrays.asList("x", null), List.of());

    books.startCheckpointIfDue(true);
    assertEquals(List.of("z", "x"), books.nextForces(10));
    assertEquals(7, books.checkpointThrough());
  }

  @Test
  void aChunkOfForcesIsHandedOutInOrderAndOnlyConfirmedOnesCount() {
    PendingChanges books =
        new PendingChanges(TUNING, now::get, Map.of(), List.of("a", "b", "c"), 3);
    books.startCheckpointIfDue(true);
    assertEquals(List.of("a", "b"), books.nextForces(2));
    assertEquals(List.of("a", "b"), books.nextForces(2), "not confirmed: handed out again");
    books.forced(2);
    assertEquals(List.of("c"), books.nextForces(2));
    books.forced(1);
    assertTrue(books.checkpointForced());
  }

  @Test
  void takenWritesHoldTheFileContentsAsAdded() {
    PendingChanges books = empty();
    books.add(changes("a", "a1"));
    Map.Entry<String, byte[]> write = books.takeWrites(1).changes().get(0);
    assertEquals("a", write.getKey());
    assertArrayEquals("a1".getBytes(StandardCharsets.UTF_8), write.getValue());
    PendingChanges.Writes none = books.takeWrites(1);
    assertNull(none.from());
  }

  @Test
  void aWaitingCommitGoesOnOnceTheBacklogIsUnderItsBoundAndOnlyOnce() {
    PendingChanges books = backlogOfTwo();
    books.add(changes("a", "a1", "b", "b1"));
    assertTrue(books.backlogFull());
    books.commitWaits();
    assertFalse(books.endCommitWait(false), "still full");
    books.takeWrites(1);
    assertFalse(books.backlogFull());
    assertTrue(books.endCommitWait(false));
    assertFalse(books.endCommitWait(false), "the wait ended already");
  }

  @Test
  void aWaitingCommitGoesOnAtOnceWhenTheFilesFail() {
    PendingChanges books = backlogOfTwo();
    books.add(changes("a", "a1", "b", "b1"));
    books.commitWaits();
    assertTrue(books.endCommitWait(true));
    assertTrue(books.backlogFull(), "nothing was written");
  }

  @Test
  void theRoundThatWaitedGoesOnEvenIfACatchUpEndedItsWaitMeanwhile() {
    PendingChanges books = backlogOfTwo();
    books.add(changes("a", "a1", "b", "b1"));
    books.commitWaits();
    books.takeWrites(2);
    assertTrue(
        books.endCommitWait(false),
        "the catch-up ends the wait (its resume may find the commit task taken)");
    assertTrue(books.commitsMayGoOn(false), "so the round resumes commits itself");

    books.add(changes("c", "c1", "d", "d1"));
    assertFalse(books.commitsMayGoOn(false));
    assertTrue(books.commitsMayGoOn(true));
  }

  private PendingChanges backlogOfTwo() {
    return new PendingChanges(
        new FileScopeStore.Tuning(4096, 20, 500, 1, 2), now::get, Map.of(), List.of(), 0);
  }

  /** Scope ids and file contents, alternating (null content: a delete). */
  private static Map<String, byte[]> changes(String... idsAndContents) {
    Map<String, byte[]> changes = new LinkedHashMap<>();
    for (int i = 0; i < idsAndContents.length; i += 2) {
      String content = idsAndContents[i + 1];
      changes.put(
          idsAndContents[i], content == null ? null : content.getBytes(StandardCharsets.UTF_8));
    }
    return changes;
  }

  private static List<String> contents(PendingChanges.Writes writes) {
    return writes.changes().stream()
        .map(
            change ->
                change.getKey()
                    + "="
                    + (change.getValue() == null
                        ? "null"
                        : new String(change.getValue(), StandardCharsets.UTF_8)))
        .toList();
  }
}
