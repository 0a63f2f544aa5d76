package dev.scopesync.serving;

import dev.scopesync.bus.ScopeAnswer;
import dev.scopesync.model.Scope;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's index of built bundles (DESIGN §18): scope → source, version, and the answers built
 * for it (the JSON bundle, {@code bundle.tar.gz}, JSON diffs from a few base hashes).
 *
 * <p>Correct under concurrent builds and deletes because a slot's life is the scope's: the scope
 * verticle {@link #open opens} a slot when it tells the fetcher a scope for serving, on its own
 * context and with the value it tells, and {@link #close closes} it on that context whenever the
 * scope changes or goes. The fetcher {@link #publish publishes} only into the slot it was told of
 * (same generation), so a build that began before a delete or a change is never served after it. An
 * answer is served only while its {@link SourceVersion} is current, so once the fetcher has
 * recorded a newer commit, no reader anywhere gets the older one.
 *
 * <p>Bounded: an answer's bytes are those the fetcher's bundle cache keeps; the cache's evictions
 * and source purges remove them here too, and a slot exists only for a scope that is stored and was
 * asked for.
 *
 * <p>Thread-safe: reads are lock-free (one map lookup, one volatile read); the rare writes are
 * serialised on this object.
 */
public final class ServedBundles implements Shareable {
  private static final String LOCAL_MAP = "scopesync.served-bundles";

  /** Diffs kept per scope: clients a few commits behind, not every base ever asked for. */
  static final int MAX_DIFFS = 8;

  private static final String JSON = "json";
  private static final String TAR = "tar";

  /**
   * Numbers every slot ever opened on this node, so a slot reopened after a delete is a new one.
   */
  private final AtomicLong generations = new AtomicLong();

  private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();

  /**
   * Counts {@link #forgetPeers} calls: a slot's peer is used only while the epoch it was learnt in
   * is current, so one increment forgets every peer at once.
   */
  private volatile long peerEpoch;

  /**
   * sourceId → the scopes with answers from it: what a purge or an eviction must visit. Under the
   * lock.
   */
  private final Map<String, Set<String>> scopesBySource = new HashMap<>();

  /**
   * A scope's slot: immutable, replaced whole on each change. {@code sourceId} and {@code version}
   * are null until the first answer; {@code peer} is the node that last answered the scope for this
   * one (sharded, the source not held here), learnt in {@code peerEpoch}.
   */
  private record Slot(
      long generation,
      Scope scope,
      String sourceId,
      SourceVersion version,
      Map<String, ServedAnswer> answers,
      String peer,
      long peerEpoch) {
    Slot(
        long generation,
        Scope scope,
        String sourceId,
        SourceVersion version,
        Map<String, ServedAnswer> answers) {
      this(generation, scope, sourceId, version, answers, null, 0);
    }

    Slot withAnswer(String sourceId, SourceVersion version, String key, ServedAnswer answer) {
      Map<String, ServedAnswer> next = new LinkedHashMap<>();
      if (version == this.version) {
        next.putAll(answers);
      }
      next.put(key, answer);
      if (key.startsWith(JSON + ":")) {
        dropEldestDiffs(next);
      }
      return new Slot(generation, scope, sourceId, version, next, null, 0);
    }

    Slot without(String sourceId, String etag) {
      if (!sourceId.equals(this.sourceId)) {
        return this;
      }
      Map<String, ServedAnswer> next = new LinkedHashMap<>(answers);
      next.values().removeIf(answer -> answer.etag().equals(etag));
      return next.size() == answers.size()
          ? this
          : new Slot(generation, scope, this.sourceId, version, next, peer, peerEpoch);
    }
  }

  private static void dropEldestDiffs(Map<String, ServedAnswer> answers) {
    long diffs = answers.keySet().stream().filter(k -> k.startsWith(JSON + ":")).count();
    var keys = answers.keySet().iterator();
    while (diffs > MAX_DIFFS && keys.hasNext()) {
      if (keys.next().startsWith(JSON + ":")) {
        keys.remove();
        diffs--;
      }
    }
  }

  /** This node's index (one per Vert.x instance, made on first use). */
  public static ServedBundles of(Vertx vertx) {
    LocalMap<String, ServedBundles> map = vertx.sharedData().getLocalMap(LOCAL_MAP);
    return map.computeIfAbsent("index", key -> new ServedBundles());
  }

  /** The key of an answer: the format, and for a JSON diff the base hash as the client sent it. */
  public static String key(boolean tar, String baseHash) {
    if (tar) {
      return TAR;
    }
    return baseHash == null ? JSON : JSON + ":" + baseHash;
  }

  // --- the scope verticle ------------------------------------------------------------------

  /**
   * Opens the scope's slot, if it is not open, and answers its generation. Called on the scope
   * verticle's context with the scope value it is about to tell the fetcher.
   */
  public synchronized long open(String scopeId) {
    return open(scopeId, null);
  }

  /**
   * As {@link #open(String)}, keeping the scope told in the slot: while the slot stays open (it is
   * closed on every change of the scope) the fetcher serves it without asking again ({@link
   * #openScope}).
   */
  public synchronized long open(String scopeId, Scope scope) {
    return slots
        .computeIfAbsent(
            scopeId, id -> new Slot(generations.incrementAndGet(), scope, null, null, Map.of()))
        .generation();
  }

  /**
   * The scope of an open slot and the slot's generation, or null when the slot is closed or was
   * opened without its scope: a webhook push to a served bundle then reads the scope once, for its
   * sync, and the bundle built after it needs no second read.
   */
  public synchronized ScopeAnswer openScope(String scopeId) {
    Slot slot = slots.get(scopeId);
    return slot == null || slot.scope() == null
        ? null
        : new ScopeAnswer(slot.scope(), slot.generation());
  }

  /** The scope changed or went: its answers go, and nothing built for it before is published. */
  public synchronized void close(String scopeId) {
    Slot removed = slots.remove(scopeId);
    if (removed != null && removed.sourceId() != null) {
      unlink(removed.sourceId(), scopeId);
    }
  }

  // --- the fetcher ---------------------------------------------------------------------------

  /**
   * Publishes an answer for a scope told with {@code generation}, built from {@code sourceId} at
   * {@code version}. Does nothing when the slot was closed or reopened since, or the version is no
   * longer current. Answers whether it was published.
   */
  public synchronized boolean publish(
      long generation, String sourceId, SourceVersion version, String key, ServedAnswer answer) {
    Slot slot = slots.get(answer.scopeId());
    if (slot == null || slot.generation() != generation || !version.current()) {
      return false;
    }
    if (slot.sourceId() != null && !slot.sourceId().equals(sourceId)) {
      unlink(slot.sourceId(), answer.scopeId());
    }
    slots.put(answer.scopeId(), slot.withAnswer(sourceId, version, key, answer));
    scopesBySource.computeIfAbsent(sourceId, id -> new HashSet<>()).add(answer.scopeId());
    return true;
  }

  /**
   * Remembers that node {@code nodeId} answered the scope told with {@code generation}: the edge
   * then asks it directly ({@link #peerFor}) until the slot closes or {@link #forgetPeers}. Does
   * nothing when the slot was closed or reopened since, or peers were forgotten since {@code epoch}
   * (the {@link #peerEpoch} read when the request was sent).
   */
  public synchronized void answeredBy(long generation, String scopeId, String nodeId, long epoch) {
    Slot slot = slots.get(scopeId);
    if (slot == null || slot.generation() != generation || epoch != peerEpoch) {
      return;
    }
    slots.put(
        scopeId,
        new Slot(
            slot.generation(),
            slot.scope(),
            slot.sourceId(),
            slot.version(),
            slot.answers(),
            nodeId,
            peerEpoch));
  }

  /**
   * Every peer learnt so far is forgotten: the fetcher's view changed or it now holds another
   * source ready, or a peer failed to answer. O(1).
   */
  public synchronized void forgetPeers() {
    peerEpoch++;
  }

  /** The current peer epoch: read before a forward whose answerer {@link #answeredBy} records. */
  public long peerEpoch() {
    return peerEpoch;
  }

  /** The fetcher purged the source: every answer from it goes (the slots stay open, empty). */
  public synchronized void dropSource(String sourceId) {
    Set<String> scopes = scopesBySource.remove(sourceId);
    if (scopes == null) {
      return;
    }
    for (String scopeId : scopes) {
      slots.computeIfPresent(
          scopeId,
          (id, slot) ->
              sourceId.equals(slot.sourceId())
                  ? new Slot(slot.generation(), slot.scope(), null, null, Map.of())
                  : slot);
    }
  }

  /** The bundle cache let these bytes go: no answer here may keep them alive. */
  public synchronized void evicted(String sourceId, String etag) {
    Set<String> scopes = scopesBySource.get(sourceId);
    if (scopes == null) {
      return;
    }
    for (String scopeId : new HashSet<>(scopes)) {
      slots.computeIfPresent(scopeId, (id, slot) -> slot.without(sourceId, etag));
    }
  }

  /** Everything goes (the fetcher stops). */
  public synchronized void clear() {
    slots.clear();
    scopesBySource.clear();
  }

  // --- the HTTP edge -------------------------------------------------------------------------

  /**
   * The answer for the scope under {@code key}, or null: not built, not current, or not this
   * scope's.
   */
  public ServedAnswer find(String scopeId, String key) {
    Slot slot = slots.get(scopeId);
    if (slot == null || slot.version() == null || !slot.version().current()) {
      return null;
    }
    return slot.answers().get(key);
  }

  /**
   * The node that answered the scope for this one, learnt since peers were last forgotten; or null.
   */
  public String peerFor(String scopeId) {
    Slot slot = slots.get(scopeId);
    return slot == null || slot.peer() == null || slot.peerEpoch() != peerEpoch
        ? null
        : slot.peer();
  }

  // --- counts (stats, leak tests) ------------------------------------------------------------

  /** Answers held, current or not. */
  public int answers() {
    int n = 0;
    for (Slot slot : slots.values()) {
      n += slot.answers().size();
    }
    return n;
  }

  /** Slots open. */
  public int slots() {
    return slots.size();
  }

  private void unlink(String sourceId, String scopeId) {
    Set<String> scopes = scopesBySource.get(sourceId);
    if (scopes != null) {
      scopes.remove(scopeId);
      if (scopes.isEmpty()) {
        scopesBySource.remove(sourceId);
      }
    }
  }
}
