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
import java.util.Objects;
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
 * <p>Two members with one name, a member with another fingerprint, or fewer members than {@code
 * cluster.minFetchers} <em>freeze</em> the node (SHARDING.md §3.1): {@link #frozen} says why, the
 * node answers {@code /ready} 503, acquires and releases nothing and keeps what it holds. A node
 * that is not clustered is a view of itself.
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
  private volatile Placement previous;
  private volatile long version;
  private volatile String frozen;
  private volatile String ownName;
  private Runnable adopted = () -> {};
  private boolean adopting;
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

  /**
   * The placement of the view before it (the first view's own at start): where a bundle request
   * goes when no current owner is ready, and whom a new owner asks for refs.
   */
  public Placement previous() {
    return previous;
  }

  /** Why this node is frozen (SHARDING.md §3.1), or null when it is not. */
  public String frozen() {
    return frozen;
  }

  /** Runs on the fetcher's context after each view is adopted (start's first view included). */
  void onAdopted(Runnable listener) {
    this.adopted = listener;
  }

  /** How many views this node has adopted (1 after start). */
  public long version() {
    return version;
  }

  /** This node's stable name ({@code local} when not clustered). */
  public String ownName() {
    String name = ownName;
    if (name == null) {
      JsonObject mine = manager == null ? null : manager.getNodeInfo().metadata();
      name =
          manager == null
              ? "local"
              : mine == null ? manager.getNodeId() : mine.getJsonObject(KEY).getString("name");
      ownName = name;
    }
    return name;
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
    adopting = true;
    try {
      adoptNow(members);
    } finally {
      adopting = false;
    }
    adopted.run();
  }

  private void adoptNow(List<Member> members) {
    Placement next = Placement.of(members);
    previous = placement == null ? next : placement;
    placement = next;
    candidate = placement.members();
    candidateSinceNanos = System.nanoTime();
    version++;
    String quorumProblem = quorumProblem(members.size());
    freeze(quorumProblem, lastProblem);
    if (manager != null) {
      LOG.info(
          "fetcher view {}: {} members {}{}",
          version,
          members.size(),
          members.stream().map(Member::name).toList(),
          quorumProblem == null ? "" : " (" + quorumProblem + ")");
    }
  }

  /** Freezes (or thaws) on what the view and the membership's problems say; logs each change. */
  private void freeze(String quorumProblem, String membershipProblem) {
    String reason =
        quorumProblem == null
            ? membershipProblem
            : membershipProblem == null ? quorumProblem : quorumProblem + "; " + membershipProblem;
    if (!settings.sharded() || Objects.equals(reason, frozen)) {
      return; // an unsharded node never freezes; an unchanged reason is not logged again
    }
    if (reason != null) {
      LOG.error(
          "fetcher frozen: {}: this node acquires and releases no source and answers /ready 503"
              + " until it is fixed",
          reason);
    } else {
      LOG.info("fetcher thawed: the membership is consistent again");
    }
    boolean thawed = frozen != null && reason == null;
    frozen = reason;
    if (thawed && !adopting) {
      adopted.run(); // what the views adopted while frozen call for is done now
    }
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
    if (placement != null) {
      freeze(quorumProblem(placement.members().size()), problem);
    }
  }

  /** What is wrong with a view of {@code size} fetchers, or null: too few for a quorum. */
  private String quorumProblem(int size) {
    return size >= settings.minFetchers()
        ? null
        : "fewer fetchers (" + size + ") than cluster.minFetchers = " + settings.minFetchers();
  }
}
