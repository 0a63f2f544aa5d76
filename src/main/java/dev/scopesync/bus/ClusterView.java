package dev.scopesync.bus;

import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
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
    return new ClusterView(vertx instanceof VertxInternal internal ? internal.clusterManager() : null);
  }

  public String nodeId() {
    return manager == null ? LOCAL : manager.getNodeId();
  }

  public int nodes() {
    return manager == null ? 1 : manager.getNodes().size();
  }

  /**
   * The member with the smallest id leads: it alone announces the changes that every node
   * finds on its own (boot and poll syncs), so a cluster announces each change once.
   */
  public boolean leads() {
    if (manager == null) {
      return true;
    }
    List<String> members = manager.getNodes();
    return members.isEmpty() || members.stream().sorted().findFirst().get().equals(manager.getNodeId());
  }
}
