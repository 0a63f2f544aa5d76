package dev.scopesync.fetcher;

import dev.scopesync.bus.Addresses;
import dev.scopesync.bus.ClusterView;
import dev.scopesync.bus.DeleteOrder;
import dev.scopesync.bus.DeletedEvent;
import dev.scopesync.bus.ScopeQueries;
import dev.scopesync.git.CloneDirectories;
import dev.scopesync.git.RepositoryHandles;
import dev.scopesync.git.SourceSync;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delete path, the reason the fetcher exists (DESIGN §1): when the last scope of a source goes,
 * the source's handle is closed and dropped, its last-fetched time and bundles forgotten and its
 * clone deleted, so after any churn nothing is held for unused sources. Every purge goes through
 * the source's queue and asks, inside it, whether a scope still uses the source.
 *
 * <p>Used from the fetcher's context only; file and JGit work runs on the git pool.
 */
final class SourcePurges {
  private static final Logger LOG = LoggerFactory.getLogger(SourcePurges.class);
  private static final String NO_SCOPE = "no scope uses it";

  private final Vertx vertx;
  private final ScopeSyncs.Parts parts;
  private final RepositoryHandles handles;
  private final CloneDirectories clones;
  private final ScopeQueries scopes;
  private final ScopeSyncs syncs;

  SourcePurges(
      Vertx vertx,
      ScopeSyncs.Parts parts,
      RepositoryHandles handles,
      CloneDirectories clones,
      ScopeQueries scopes,
      ScopeSyncs syncs) {
    this.vertx = vertx;
    this.parts = parts;
    this.handles = handles;
    this.clones = clones;
    this.scopes = scopes;
    this.syncs = syncs;
  }

  /** A scope left a source: its ref goes, and the source too when no scope uses it any more. */
  void delete(DeleteOrder order) {
    String scopeId = order.scopeId();
    String sourceId = order.sourceId();
    SourceSync sync = parts.sync();
    parts
        .queues()
        .submit(
            sourceId,
            () ->
                parts
                    .git()
                    .run(
                        () -> {
                          sync.refs().delete(sourceId, scopeId);
                          return null;
                        })
                    // Forgotten here, in the queue: a sync of the scope that was running when the
                    // delete came has finished, so it cannot record its outcome again afterwards.
                    .onComplete(
                        done -> {
                          parts.freshness().forget(scopeId);
                          syncs.forget(scopeId);
                        })
                    // Asked now, inside the queue, not when the delete arrived: of two concurrent
                    // deletes of the last two siblings, the later job always sees no sibling left.
                    .compose(ignored -> scopes.sourceInUse(sourceId))
                    .compose(
                        inUse -> inUse ? Future.succeededFuture(false) : purge(sourceId, NO_SCOPE))
                    .onComplete(
                        ar -> {
                          if (ar.failed()) {
                            LOG.error(
                                "scope_id={} source_id={} delete failed: {}",
                                scopeId,
                                sourceId,
                                ar.cause().toString());
                          }
                          vertx
                              .eventBus()
                              .publish(
                                  Addresses.FETCHER_DELETED,
                                  new DeletedEvent(
                                          ClusterView.of(vertx).nodeId(),
                                          scopeId,
                                          sourceId,
                                          ar.succeeded() && ar.result(),
                                          ar.failed() ? ar.cause().getMessage() : null)
                                      .toJson());
                        })
                    .mapEmpty());
  }

  /**
   * At start, after the scopes are known: purges every clone directory no scope uses. Each one goes
   * through its source's queue and the same in-use question as a delete, so a scope created
   * meanwhile keeps its clone.
   */
  Future<Long> sweep() {
    return parts
        .git()
        .run(clones::sourceDirectories)
        .compose(
            found ->
                Future.join(
                    found.stream()
                        .map(
                            sourceId ->
                                parts
                                    .queues()
                                    .submit(
                                        sourceId,
                                        () ->
                                            scopes
                                                .sourceInUse(sourceId)
                                                .compose(
                                                    inUse ->
                                                        inUse
                                                            ? Future.succeededFuture(false)
                                                            : purge(sourceId, NO_SCOPE))))
                        .toList()))
        .map(
            all -> {
              long removed = all.list().stream().filter(Boolean.TRUE::equals).count();
              if (removed > 0) {
                LOG.info("start sweep: removed {} clone directories no scope uses", removed);
              }
              return removed;
            });
  }

  /**
   * A sharded node lets go of a source it no longer owns (SHARDING.md §3.6): in the source's queue,
   * if {@code stillReleasable} still holds there, exactly what a delete releases goes, and the
   * freshness of the scopes that synced from it.
   *
   * @return whether the source was released
   */
  Future<Boolean> release(String sourceId, BooleanSupplier stillReleasable, String why) {
    return parts
        .queues()
        .submit(
            sourceId,
            () -> {
              if (!stillReleasable.getAsBoolean()) {
                return Future.succeededFuture(false);
              }
              parts.freshness().forgetSource(sourceId);
              syncs.forgetSource(sourceId);
              return purge(sourceId, why).map(true);
            });
  }

  /**
   * Releases everything held for a source no scope uses any more.
   *
   * @return whether anything was held (several deletes of one source's scopes can each find it
   *     unused; only the first one has something to release)
   */
  private Future<Boolean> purge(String sourceId, String why) {
    Map<String, Instant> lastFetched = parts.lastFetched();
    Set<String> clonedSources = parts.clonedSources();
    boolean held = lastFetched.remove(sourceId) != null;
    held |= parts.bundles().dropSource(sourceId);
    boolean heldBefore = held;
    return parts
        .git()
        .run(
            () -> {
              boolean released = heldBefore | handles.drop(sourceId);
              Path dir = clones.of(sourceId);
              released |= Files.exists(dir);
              CloneDirectories.deleteTree(dir);
              // A bundle read that opened the repository while it was being deleted is dropped too.
              handles.drop(sourceId);
              clonedSources.remove(sourceId);
              if (released) {
                LOG.info("source_id={} purged: {}", sourceId, why);
              }
              return released;
            });
  }
}
