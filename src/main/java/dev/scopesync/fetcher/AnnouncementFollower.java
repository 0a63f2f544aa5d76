package dev.scopesync.fetcher;

import dev.scopesync.bus.Addresses;
import dev.scopesync.bus.ScopeQueries;
import dev.scopesync.git.SourceSync;
import dev.scopesync.git.SyncRequest;
import dev.scopesync.model.SourceId;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the scope refs of the sources this node holds but does not announce (a sharded cluster's
 * co-owner or releasing holder) at the last announced commit (SHARDING.md §3.5): on each {@code
 * scopesync.policy-updated} of such a source, a job in the source's queue moves the scope's ref to
 * {@code new_policy_hash}, fetching first when the clone lacks that commit. A node promoted to
 * primary then compares against what the cluster was told, so it announces what a dead primary
 * fetched and never announced, and nothing twice.
 *
 * <p>Used from the fetcher's context only; the git work runs on the git pool.
 */
final class AnnouncementFollower {
  private static final Logger LOG = LoggerFactory.getLogger(AnnouncementFollower.class);

  private final Vertx vertx;
  private final ScopeSyncs.Parts parts;
  private final ScopeQueries scopes;
  private final SourceRoles roles;
  private final int shards;

  AnnouncementFollower(
      Vertx vertx, ScopeSyncs.Parts parts, ScopeQueries scopes, SourceRoles roles, int shards) {
    this.vertx = vertx;
    this.parts = parts;
    this.scopes = scopes;
    this.roles = roles;
    this.shards = shards;
  }

  /** Listens to the cluster's announcements; the caller unregisters the consumer. */
  MessageConsumer<JsonObject> listen() {
    return vertx
        .eventBus()
        .consumer(
            Addresses.POLICY_UPDATED,
            m -> followed(m.body().getString("scope_id"), m.body().getString("new_policy_hash")));
  }

  /** Completes when the scope's ref follows the announcement here, or there is nothing to do. */
  Future<Void> followed(String scopeId, String commit) {
    if (!roles.sharded() || scopeId == null || commit == null) {
      return Future.succeededFuture();
    }
    return scopes
        .scope(scopeId, false)
        .compose(
            told -> {
              if (told == null) {
                return Future.<Void>succeededFuture();
              }
              String sourceId = SourceId.of(told.scope().policy(), shards);
              if (!parts.clonedSources().contains(sourceId) || roles.primary(sourceId)) {
                return Future.<Void>succeededFuture(); // nothing held, or this node announced it
              }
              SyncRequest request =
                  new SyncRequest(scopeId, sourceId, told.scope().policy(), false, commit, null);
              SourceSync sync = parts.sync();
              return parts
                  .inQueue(
                      sourceId,
                      () -> sync.follow(request, parts.lastFetched().get(sourceId)),
                      found -> {
                        if (found != null && found.fetchedAt() != null) {
                          parts.lastFetched().put(sourceId, found.fetchedAt());
                          parts.bundles().recordHeads(sourceId, found.remoteHeads());
                        }
                      })
                  .<Void>mapEmpty();
            })
        .onFailure(
            e ->
                LOG.warn(
                    "scope_id={} ref not moved to the announced {}: {}",
                    scopeId,
                    commit,
                    e.getMessage()));
  }
}
