package dev.scopesync.fetcher;

import dev.scopesync.bus.BundleQuery;
import dev.scopesync.bus.BundleReply;
import dev.scopesync.bus.Failures;
import dev.scopesync.bus.PeerFetchers;
import dev.scopesync.bus.ScopeAnswer;
import dev.scopesync.metrics.ServerMetrics;
import dev.scopesync.serving.ServedAnswer;
import dev.scopesync.serving.ServedBundles;
import dev.scopesync.shard.Placement.Member;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * Any node serves any scope (SHARDING.md §3.4): a bundle of a source this node holds ready is built
 * here; otherwise the request goes to an owner's fetcher at its per-node address, the primary first
 * (after a push it is the one sure to have the new commit), then the co-owners, then the previous
 * view's owners, {@code cluster.forwardTimeoutMillis} each, at most {@link #MAX_TRIES}. The owner's
 * reply is passed on as it came (status, ETag, commit, bytes), so every node answers
 * byte-identically; {@code If-None-Match} travels with the query, so a 304 costs a small message.
 * When no candidate answers, 503 with {@code Retry-After}, as for a clone not made yet.
 *
 * <p>A forwarded request is answered by its receiver or refused: it is never forwarded again.
 */
final class BundleRouter {
  static final int MAX_TRIES = 3;

  private final Vertx vertx;
  private final BundleService bundles;
  private final SourceRoles roles;
  private final ServerMetrics metrics;
  private final long timeoutMillis;
  private final ServedBundles served;

  BundleRouter(
      Vertx vertx,
      BundleService bundles,
      ServedBundles served,
      SourceRoles roles,
      ServerMetrics metrics,
      long timeoutMillis) {
    this.vertx = vertx;
    this.bundles = bundles;
    this.served = served;
    this.roles = roles;
    this.metrics = metrics;
    this.timeoutMillis = timeoutMillis;
  }

  /** A bundle for a client of this node: built here, or by an owner. */
  Future<BundleReply> answer(BundleQuery query) {
    if (!roles.sharded()) {
      return bundles.answer(query);
    }
    return bundles
        .resolve(query.scopeId())
        .compose(
            told -> {
              String sourceId = bundles.sourceOf(told);
              return roles.ready(sourceId)
                  ? bundles.answer(query, told)
                  : forward(query, told, roles.candidates(sourceId), 0);
            });
  }

  /**
   * A bundle another node forwarded: answered from this node's served bundles or ready clone, or
   * refused.
   */
  Future<BundleReply> answerForPeer(BundleQuery query) {
    BundleReply hit = servedReply(query);
    if (hit != null) {
      return Future.succeededFuture(hit);
    }
    return bundles
        .resolve(query.scopeId())
        .compose(
            told ->
                roles.ready(bundles.sourceOf(told))
                    ? bundles.answer(query, told)
                    : Future.failedFuture(
                        Failures.of(
                            Failures.UNAVAILABLE,
                            "this node holds no ready clone of the scope's source")));
  }

  private Future<BundleReply> forward(
      BundleQuery query, ScopeAnswer told, List<Member> candidates, int tried) {
    if (tried >= Math.min(MAX_TRIES, candidates.size())) {
      metrics.shardForward("unavailable");
      return Future.failedFuture(
          Failures.of(
              Failures.UNAVAILABLE,
              "the policy repository is not cloned on any of its owners yet; retry shortly"));
    }
    Member owner = candidates.get(tried);
    long epoch = served.peerEpoch();
    return PeerFetchers.at(vertx, owner.nodeId(), timeoutMillis)
        .bundle(query)
        .onSuccess(
            reply -> {
              metrics.shardForward("ok");
              // The edge asks this owner directly from now on (OwnerShortcut), until the view
              // changes or this node holds more sources ready.
              if (told.servedGeneration() != 0) {
                served.answeredBy(
                    told.servedGeneration(), told.scope().scopeId(), owner.nodeId(), epoch);
              }
            })
        .recover(
            e -> {
              // Not ready, gone or too slow: the next candidate. Any other answer (a 404 for a
              // path the bundle lacks, a scope deleted meanwhile) is the answer.
              if (Failures.statusOf(e) != Failures.UNAVAILABLE) {
                return Future.failedFuture(e);
              }
              metrics.shardForward("next");
              return forward(query, told, candidates, tried + 1);
            });
  }

  /**
   * The reply to {@code query} straight from the served bundles (the scope's own bundle built here
   * and still current), or null: what a forwarded request costs an owner whose clients asked first.
   */
  private BundleReply servedReply(BundleQuery query) {
    if (!query.paths().isEmpty()) {
      return null;
    }
    ServedAnswer answer =
        served.find(
            query.scopeId(),
            ServedBundles.key(query.format() == BundleQuery.Format.TAR, query.baseHash()));
    if (answer == null) {
      return null;
    }
    boolean held = query.ifNoneMatch().contains(answer.etag()) || query.ifNoneMatch().contains("*");
    return new BundleReply(
        held ? 304 : 200,
        answer.etag(),
        answer.scopeId(),
        answer.commit(),
        query.format().contentType,
        held ? null : answer.body());
  }
}
