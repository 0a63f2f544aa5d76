package dev.scopesync.fetcher;

import dev.scopesync.config.ConfigException;
import dev.scopesync.config.ServerConfig;
import dev.scopesync.config.ShardSettings;
import dev.scopesync.shard.NodeName;
import dev.scopesync.shard.Placement;
import dev.scopesync.shard.Placement.Member;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.NodeInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fetcher members of the cluster as this node sees them (SHARDING.md §3.1): every member whose
 * node metadata says it runs a fetcher with this node's fingerprint, by stable name. A membership
 * is adopted once it has held for {@code cluster.settleMillis}; each adoption is a new view version
 * and a new {@link Placement}. Read by polling the cluster manager (it has one node listener, which
 * the clustered event bus owns): every {@code settleMillis / 2}, at most 2 s.
 *
 * <p>Two members with one name, or fewer than {@code cluster.minFetchers}, are logged; the freeze
 * they call for (SHARDING.md §3.1) comes with the sharding that acts on views. A node that is not
 * clustered is a view of itself.
 *
 * <p>Used from the fetcher's context; {@link #placement} and {@link #version} are safe from any
 * thread.
 */
public final class FetcherMembers {
  private static final Logger LOG = LoggerFactory.getLogger(FetcherMembers.class);
  static final String KEY = "scopesync";

  private final Vertx vertx;
  private final ShardSettings settings;
  private final String fingerprint;
  private final ClusterManager manager;
  private volatile Placement placement;
  private volatile long version;
  private List<Member> candidate;
  private long candidateSinceNanos;
  private String lastProblem;
  private long timer = -1;
  private boolean reading;

  FetcherMembers(Vertx vertx, ServerConfig config) {
    this.vertx = vertx;
    this.settings = config.shard();
    this.fingerprint = Placement.fingerprint(settings.replicas(), config.cloneShards());
    this.manager = vertx instanceof VertxInternal internal ? internal.clusterManager() : null;
  }

  /**
   * What this node tells the others about itself ({@code cluster.nodeName} or the name kept on its
   * disk, its weight, its fingerprint). Blocking (the name may be read or made on disk): at start,
   * before Vert.x runs.
   */
  public static JsonObject metadata(ServerConfig config) {
    String name;
    try {
      name = NodeName.resolve(config.shard().nodeName(), config.gitBaseDir());
    } catch (IOException e) {
      throw new ConfigException(
          "cannot keep the node name under git.baseDir (" + config.gitBaseDir() + "): " + e);
    }
    return new JsonObject()
        .put(
            KEY,
            new JsonObject()
                .put("fetcher", true)
                .put("name", name)
                .put("weight", config.shard().weight())
                .put("fp", Placement.fingerprint(config.shard().replicas(), config.cloneShards())));
  }

  /** Reads the membership now and adopts it at once (a starting node has no view to keep). */
  Future<Void> start() {
    if (manager == null) {
      adopt(List.of(Member.of(ownName())));
      return Future.succeededFuture();
    }
    return read()
        .map(
            members -> {
              adopt(members);
              long every = Math.max(100, Math.min(2000, settings.settleMillis() / 2));
              timer = vertx.setPeriodic(every, id -> tick());
              return null;
            });
  }

  void stop() {
    vertx.cancelTimer(timer);
  }

  /** The placement of the view adopted last. */
  public Placement placement() {
    return placement;
  }

  /** How many views this node has adopted (1 after start). */
  public long version() {
    return version;
  }

  /** This node's stable name ({@code local} when not clustered). */
  public String ownName() {
    if (manager == null) {
      return "local";
    }
    JsonObject mine = manager.getNodeInfo().metadata();
    return mine == null ? manager.getNodeId() : mine.getJsonObject(KEY).getString("name");
  }

  private void tick() {
    if (reading) {
      return;
    }
    reading = true;
    read()
        .onSuccess(this::consider)
        .onFailure(e -> LOG.warn("cluster membership not read: {}", e.getMessage()))
        .onComplete(done -> reading = false);
  }

  private void consider(List<Member> members) {
    long now = System.nanoTime();
    if (!members.equals(candidate)) {
      candidate = members;
      candidateSinceNanos = now;
      return;
    }
    boolean settled = now - candidateSinceNanos >= settings.settleMillis() * 1_000_000L;
    if (settled && !members.equals(placement.members())) {
      adopt(members);
    }
  }

  private void adopt(List<Member> members) {
    placement = Placement.of(members);
    candidate = placement.members();
    candidateSinceNanos = System.nanoTime();
    version++;
    boolean quorum = members.size() >= settings.minFetchers();
    if (manager == null) {
      return; // a node alone: its view is itself, nothing to say
    }
    LOG.info(
        "fetcher view {}: {} members {}{}",
        version,
        members.size(),
        members.stream().map(Member::name).toList(),
        quorum ? "" : " (fewer than cluster.minFetchers = " + settings.minFetchers() + ")");
  }

  /** The fetcher members with this node's fingerprint, sorted by name. */
  private Future<List<Member>> read() {
    List<String> nodes = manager.getNodes();
    List<Future<NodeInfo>> infos = new ArrayList<>();
    for (String nodeId : nodes) {
      Promise<NodeInfo> info = Promise.promise();
      manager.getNodeInfo(nodeId, info);
      infos.add(info.future().otherwiseEmpty());
    }
    return Future.join(infos)
        .map(
            all -> {
              List<Member> members = new ArrayList<>();
              Set<String> names = new HashSet<>();
              List<String> problems = new ArrayList<>();
              for (int i = 0; i < nodes.size(); i++) {
                NodeInfo info = all.resultAt(i);
                JsonObject meta =
                    info == null || info.metadata() == null
                        ? null
                        : info.metadata().getJsonObject(KEY);
                if (meta == null || !Boolean.TRUE.equals(meta.getBoolean("fetcher"))) {
                  continue; // an application with the client, or not readable yet
                }
                String name = meta.getString("name");
                if (!fingerprint.equals(meta.getString("fp"))) {
                  problems.add(
                      "member "
                          + name
                          + " runs another cluster.replicas or git.cloneShards: left out");
                  continue;
                }
                if (!names.add(name)) {
                  problems.add("two members are named " + name + ": the second is left out");
                  continue;
                }
                members.add(new Member(name, nodes.get(i), meta.getInteger("weight", 1)));
              }
              report(problems);
              return Placement.of(members).members();
            });
  }

  private void report(List<String> problems) {
    String problem = problems.isEmpty() ? null : String.join("; ", problems);
    if (problem != null && !problem.equals(lastProblem)) {
      LOG.error("fetcher membership: {}", problem);
    } else if (problem == null && lastProblem != null) {
      LOG.info("fetcher membership is consistent again");
    }
    lastProblem = problem;
  }
}
