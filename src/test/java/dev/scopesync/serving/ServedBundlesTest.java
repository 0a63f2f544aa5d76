package dev.scopesync.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** The served-bundle index on its own: slots, generations, versions, purges and evictions. */
class ServedBundlesTest {
  private static final String JSON = ServedBundles.key(false, null);
  private static final String TAR = ServedBundles.key(true, null);
  private final ServedBundles served = new ServedBundles();

  private static ServedAnswer answer(String scopeId, String commit, String etag) {
    return ServedAnswer.of(scopeId, commit, etag, Buffer.buffer(etag));
  }

  @Test
  void aPublishedAnswerIsFoundUnderItsScopeAndKeyWithTheFetchersOwnBytes() {
    long generation = served.open("a");
    SourceVersion version = new SourceVersion();
    ServedAnswer answer = answer("a", "c1", "\"c1-json\"");
    assertTrue(served.publish(generation, "src1", version, JSON, answer));
    assertSame(answer.body(), served.find("a", JSON).body());
    assertNull(served.find("a", TAR));
    assertNull(served.find("b", JSON));
    assertEquals(1, served.answers());
  }

  @Test
  void nothingIsPublishedIntoASlotThatWasNeverOpened() {
    assertFalse(served.publish(1, "src1", new SourceVersion(), JSON, answer("a", "c1", "e")));
    assertEquals(0, served.slots());
    assertNull(served.find("a", JSON));
  }

  @Test
  void aBuildThatBeganBeforeADeleteIsNeverServedAfterIt() {
    long told = served.open("a");
    served.close("a"); // the scope is deleted while its bundle builds
    assertFalse(served.publish(told, "src1", new SourceVersion(), JSON, answer("a", "c1", "e")));
    assertNull(served.find("a", JSON));
    assertEquals(0, served.slots());
  }

  @Test
  void aBuildForTheScopeBeforeItChangedIsNotPublishedIntoTheReopenedSlot() {
    long before = served.open("a");
    served.close("a"); // the scope changed (a new filter)
    long after = served.open("a");
    assertNotEquals(before, after);
    assertFalse(
        served.publish(before, "src1", new SourceVersion(), JSON, answer("a", "c1", "old-filter")));
    assertTrue(
        served.publish(after, "src1", new SourceVersion(), JSON, answer("a", "c1", "new-filter")));
    assertEquals("new-filter", served.find("a", JSON).etag());
  }

  @Test
  void closingAScopeDropsItsAnswers() {
    long generation = served.open("a");
    served.publish(generation, "src1", new SourceVersion(), JSON, answer("a", "c1", "e"));
    served.close("a");
    assertNull(served.find("a", JSON));
    assertEquals(0, served.answers());
    assertEquals(0, served.slots());
  }

  @Test
  void answersAtAStaleVersionAreNotServedAndNotPublished() {
    long generation = served.open("a");
    SourceVersion v1 = new SourceVersion();
    served.publish(generation, "src1", v1, JSON, answer("a", "c1", "e1"));
    v1.markStale(); // a sync moved the branch
    assertNull(served.find("a", JSON));
    assertFalse(served.publish(generation, "src1", v1, TAR, answer("a", "c1", "t1")));
    SourceVersion v2 = new SourceVersion();
    assertTrue(served.publish(generation, "src1", v2, TAR, answer("a", "c2", "t2")));
    assertEquals("c2", served.find("a", TAR).commit());
    // The stale version's answers went with the new version's first one.
    assertNull(served.find("a", JSON));
    assertEquals(1, served.answers());
  }

  @Test
  void answersOfOneVersionAccumulate() {
    long generation = served.open("a");
    SourceVersion version = new SourceVersion();
    served.publish(generation, "src1", version, JSON, answer("a", "c1", "j"));
    served.publish(generation, "src1", version, TAR, answer("a", "c1", "t"));
    served.publish(
        generation, "src1", version, ServedBundles.key(false, "abcd"), answer("a", "c1", "d"));
    assertEquals(3, served.answers());
    assertEquals("d", served.find("a", ServedBundles.key(false, "abcd")).etag());
  }

  @Test
  void aPurgedSourceLeavesNoAnswerOfAnyScopeOnIt() {
    SourceVersion version = new SourceVersion();
    for (String scope : new String[] {"a", "b"}) {
      served.publish(served.open(scope), "src1", version, JSON, answer(scope, "c1", scope));
    }
    served.publish(served.open("c"), "src2", new SourceVersion(), JSON, answer("c", "c9", "c"));
    served.dropSource("src1");
    assertNull(served.find("a", JSON));
    assertNull(served.find("b", JSON));
    assertEquals("c", served.find("c", JSON).etag());
    assertEquals(1, served.answers());
  }

  @Test
  void anEvictionFromTheCacheRemovesExactlyTheAnswersWithThoseBytes() {
    SourceVersion version = new SourceVersion();
    long a = served.open("a");
    long b = served.open("b");
    served.publish(a, "src1", version, JSON, answer("a", "c1", "shared-etag"));
    served.publish(b, "src1", version, JSON, answer("b", "c1", "shared-etag"));
    served.publish(a, "src1", version, TAR, answer("a", "c1", "tar-etag"));
    served.evicted("src1", "shared-etag");
    assertNull(served.find("a", JSON));
    assertNull(served.find("b", JSON));
    assertEquals("tar-etag", served.find("a", TAR).etag());
    served.evicted("src2", "tar-etag"); // same ETag, another source: not these bytes
    assertEquals(1, served.answers());
  }

  @Test
  void onlyTheLatestDiffsOfAScopeAreKept() {
    long generation = served.open("a");
    SourceVersion version = new SourceVersion();
    int asked = ServedBundles.MAX_DIFFS + 3;
    for (int i = 0; i < asked; i++) {
      served.publish(
          generation,
          "src1",
          version,
          ServedBundles.key(false, "base" + i),
          answer("a", "c1", "d" + i));
    }
    served.publish(generation, "src1", version, JSON, answer("a", "c1", "full"));
    assertEquals(ServedBundles.MAX_DIFFS + 1, served.answers());
    assertNull(served.find("a", ServedBundles.key(false, "base0")));
    assertEquals(
        "d" + (asked - 1), served.find("a", ServedBundles.key(false, "base" + (asked - 1))).etag());
    assertEquals("full", served.find("a", JSON).etag());
  }

  @Test
  void aScopeMovedToAnotherSourceIsNoLongerReachedThroughTheOldOne() {
    long generation = served.open("a");
    served.publish(generation, "src1", new SourceVersion(), JSON, answer("a", "c1", "old"));
    served.publish(generation, "src2", new SourceVersion(), JSON, answer("a", "c2", "new"));
    served.dropSource("src1");
    assertEquals("new", served.find("a", JSON).etag());
  }

  @Test
  void oneIndexPerVertxInstance() {
    Vertx one = Vertx.vertx();
    Vertx two = Vertx.vertx();
    try {
      assertSame(ServedBundles.of(one), ServedBundles.of(one));
      assertNotEquals(ServedBundles.of(one), ServedBundles.of(two));
    } finally {
      one.close();
      two.close();
    }
  }

  @Test
  void theOwnerThatAnsweredAScopeIsAskedAgainUntilPeersAreForgotten() {
    long generation = served.open("a");
    long epoch = served.peerEpoch();
    served.answeredBy(generation, "a", "node-b", epoch);
    assertEquals("node-b", served.peerFor("a"));
    assertNull(served.peerFor("b"));
    served.forgetPeers(); // a view change, or this node now holds more sources ready
    assertNull(served.peerFor("a"));
  }

  @Test
  void anOwnerLearntBeforePeersWereForgottenOrTheScopeChangedIsNotKept() {
    long generation = served.open("a");
    long epoch = served.peerEpoch();
    served.forgetPeers(); // the view changed while the forward was in flight
    served.answeredBy(generation, "a", "node-b", epoch);
    assertNull(served.peerFor("a"));
    served.close("a");
    long reopened = served.open("a");
    served.answeredBy(generation, "a", "node-b", served.peerEpoch()); // told before the change
    assertNull(served.peerFor("a"));
    served.answeredBy(reopened, "a", "node-c", served.peerEpoch());
    assertEquals("node-c", served.peerFor("a"));
    served.close("a"); // deleted: nothing of it stays
    assertNull(served.peerFor("a"));
    assertEquals(0, served.slots());
  }

  @Test
  void anAnswerBuiltHereReplacesTheOwnerTheScopeWasAskedOf() {
    long generation = served.open("a");
    served.answeredBy(generation, "a", "node-b", served.peerEpoch());
    assertTrue(
        served.publish(generation, "src1", new SourceVersion(), JSON, answer("a", "c1", "e")));
    assertNull(served.peerFor("a"));
  }
}
