package dev.scopesync.fetcher;

import dev.scopesync.bus.BundleQuery;
import dev.scopesync.bus.BundleReply;
import dev.scopesync.bus.PeerFetchers;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What this node's fetcher answers the other fetchers of a sharded cluster: forwarded bundles from
 * its ready clones, which sources it holds ready, a source's scope refs.
 */
final class PeerService implements PeerFetchers.Node {
  private final BundleRouter router;
  private final SourceAcquisitions acquisitions;

  PeerService(BundleRouter router, SourceAcquisitions acquisitions) {
    this.router = router;
    this.acquisitions = acquisitions;
  }

  @Override
  public Future<BundleReply> bundle(BundleQuery query) {
    return router.answerForPeer(query);
  }

  @Override
  public Future<Set<String>> ready(List<String> sourceIds) {
    return acquisitions.ready(sourceIds);
  }

  @Override
  public Future<Map<String, String>> refs(String sourceId, List<String> scopeIds) {
    return acquisitions.refs(sourceId, scopeIds);
  }
}
