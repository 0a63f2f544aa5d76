package dev.scopesync.bus;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.RegistrationInfo;
import java.util.List;

/** This node's view of the Vert.x cluster: its id, the members, and whether it leads. */
public final class ClusterView {
  /** The id of a node that is not clustered. */
  public static final String LOCAL = "local";

  private final ClusterManager manager;

  private ClusterView(ClusterManager manager) {
    this.manager = manager;
  }

  public static ClusterView of(Vertx vertx) {
    return new ClusterView(
        vertx instanceof VertxInternal internal ? internal.clusterManager() : null);
  }

  public String nodeId() {
    return manager == null ? LOCAL : manager.getNodeId();
  }

  public int nodes() {
    return manager == null ? 1 : manager.getNodes().size();
  }

  /**
   * Of the members that run a fetcher (a consumer of {@code address}), the one with the smallest id
   * leads: it alone announces the changes every node finds on its own (boot and poll syncs), so a
   * cluster announces each change once. Members that only use the client never lead.
   */
  public Future<Boolean> leads(String address) {
    if (manager == null) {
      return Future.succeededFuture(true);
    }
    Promise<List<RegistrationInfo>> registrations = Promise.promise();
    manager.getRegistrations(address, registrations);
    return registrations
        .future()
        .map(
            found ->
                found.stream()
                    .map(RegistrationInfo::nodeId)
                    .sorted()
                    .findFirst()
                    .map(manager.getNodeId()::equals)
                    .orElse(true));
  }
}
