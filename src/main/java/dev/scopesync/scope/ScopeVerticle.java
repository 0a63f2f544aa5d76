package dev.scopesync.scope;

import dev.scopesync.bus.Addresses;
import dev.scopesync.bus.ClusterView;
import dev.scopesync.bus.Delivery;
import dev.scopesync.bus.Failures;
import dev.scopesync.bus.StatsFields;
import dev.scopesync.config.ServerConfig;
import dev.scopesync.metrics.ServerMetrics;
import dev.scopesync.stats.ProcessStats;
import dev.scopesync.webhook.PushEvent;
import dev.scopesync.webhook.PushEvents;
import dev.scopesync.webhook.RepositoryMatcher;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns scopes (DESIGN §1): validation, the store, which scopes a sync concerns, and the
 * answer to the fetcher's question whether a source is still used. It never touches git:
 * it tells every node's fetcher what to sync and what was deleted.
 */
public final class ScopeVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ScopeVerticle.class);
  /** Other nodes change the shared store too: the scope gauge is re-read this often. */
  private static final long COUNT_REFRESH_MILLIS = 15_000;
  private static final long BOOT_RETRY_MILLIS = 5_000;
  private static final Pattern COMMIT_HASH = Pattern.compile("^[0-9a-fA-F]{4,64}$");

  private final ServerConfig config;
  private final Function<io.vertx.core.Vertx, Future<ScopeStore>> storeFactory;
  private final Clock clock;
  private final ScopeParser parser;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private final ServerMetrics metrics;
  /** The number of stored scopes as last seen (a gauge; refreshed on every change and periodically). */
  private volatile int scopeCount;
  private long countTimer = -1;
  private ScopeStore store;
  private long pollTimer = -1;
  private long bootTimer = -1;
  private volatile boolean stopped;
  /** A poll tick in progress: the next tick is skipped rather than piled on top of it. */
  private boolean polling;

  public ScopeVerticle(ServerConfig config, Function<io.vertx.core.Vertx, Future<ScopeStore>> storeFactory,
      ServerMetrics metrics) {
    this(config, storeFactory, metrics, Clock.systemUTC());
  }

  public ScopeVerticle(ServerConfig config, Function<io.vertx.core.Vertx, Future<ScopeStore>> storeFactory,
      ServerMetrics metrics, Clock clock) {
    this.config = config;
    this.storeFactory = storeFactory;
    this.metrics = metrics;
    this.clock = clock;
    this.parser = new ScopeParser(new GitUrlPolicy(config.allowedSchemes()));
  }

  @Override
  public Future<?> start() {
    return storeFactory.apply(vertx)
        .compose(s -> {
          store = s;
          register(Addresses.SCOPES_PUT, this::put);
          register(Addresses.SCOPES_GET, this::get);
          register(Addresses.SCOPES_LIST, this::list);
          register(Addresses.SCOPES_DELETE, this::delete);
          register(Addresses.SCOPES_REFRESH, this::refresh);
          register(Addresses.SCOPES_POLICY, this::policy);
          register(Addresses.STATS, body -> stats());
          registerLocal(Addresses.READY, body -> ready());
          register(Addresses.WEBHOOK_PUSH, this::webhookPush);
          register(Addresses.FETCHER_SCOPE, this::storedScope);
          register(Addresses.FETCHER_SOURCE_IN_USE, this::sourceInUse);
          return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
        })
        .onSuccess(ignored -> {
          metrics.gauge(ServerMetrics.SCOPES, "scopes in the store", () -> scopeCount);
          refreshScopeCount();
          countTimer = vertx.setPeriodic(COUNT_REFRESH_MILLIS, id -> refreshScopeCount());
          boot();
          if (config.pollingIntervalSeconds() > 0) {
            pollTimer = vertx.setPeriodic(config.pollingIntervalSeconds() * 1000L, id -> pollTick());
          }
        });
  }

  /**
   * Creates the configured scopes, sweeps unused clones and syncs everything. A store that
   * is down (Redis not there yet) does not stop the node: it starts not-ready and boots as
   * soon as the store answers.
   */
  private void boot() {
    createConfiguredScopes()
        .compose(created -> sweepThenSyncAtBoot())
        .onFailure(e -> {
          if (stopped) {
            return;
          }
          LOG.warn("boot: {}; retrying in {} s", e.getMessage(), BOOT_RETRY_MILLIS / 1000);
          bootTimer = vertx.setTimer(BOOT_RETRY_MILLIS, id -> boot());
        });
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(pollTimer);
    vertx.cancelTimer(bootTimer);
    vertx.cancelTimer(countTimer);
    return Future.all(consumers.stream().map(MessageConsumer::unregister).toList())
        .eventually(() -> store == null ? Future.succeededFuture() : store.close());
  }

  /** Registers a request handler whose future's value is the reply and whose failure is a coded reply. */
  private void register(String address, Function<JsonObject, Future<JsonObject>> handler) {
    consumers.add(vertx.eventBus().<Object>consumer(address, message -> handle(message, handler)));
  }

  /** As {@link #register}, for questions about this node only. */
  private void registerLocal(String address, Function<JsonObject, Future<JsonObject>> handler) {
    consumers.add(vertx.eventBus().<Object>localConsumer(address, message -> handle(message, handler)));
  }

  private static void handle(Message<Object> message, Function<JsonObject, Future<JsonObject>> handler) {
    if (!(message.body() instanceof JsonObject body)) {
      message.fail(Failures.BAD_REQUEST, "request body must be a JSON object");
      return;
    }
    Future<JsonObject> reply;
    try {
      reply = handler.apply(body);
    } catch (RuntimeException e) {
      reply = Future.failedFuture(e);
    }
    reply.onSuccess(message::reply).onFailure(e -> {
      if (Failures.statusOf(e) >= 500) {
        LOG.warn("{} failed: {}", message.address(), e.toString());
      }
      Failures.reply(message, e);
    });
  }

  // --- the public addresses --------------------------------------------------------------

  private Future<JsonObject> put(JsonObject body) {
    Scope scope = parser.parse(body.getValue("scope"));
    boolean forceFetch = bool(body, "force_fetch");
    long requestedAt = clock.millis();
    return store.put(scope).map(previous -> {
      String sourceId = sourceIdOf(scope);
      if (previous != null && !sourceIdOf(previous).equals(sourceId)) {
        // The scope moved to another source: its old clone may now be unused.
        tellFetchersDeleted(previous.scopeId(), sourceIdOf(previous));
      }
      if (previous == null) {
        scopeCount++;
      }
      LOG.info("scope_id={} source_id={} stored", scope.scopeId(), sourceId);
      sync(List.of(scope), forceFetch, null, requestedAt, false);
      return new JsonObject();
    });
  }

  private Future<JsonObject> get(JsonObject body) {
    String scopeId = ScopeParser.scopeId(body.getValue("scope_id"), "scope_id");
    return existing(scopeId).map(Scope::toPublicJson);
  }

  private Future<JsonObject> list(JsonObject body) {
    return store.all().map(scopes -> new JsonObject().put("scopes",
        new JsonArray(scopes.stream().map(Scope::toPublicJson).toList())));
  }

  private Future<JsonObject> delete(JsonObject body) {
    String scopeId = ScopeParser.scopeId(body.getValue("scope_id"), "scope_id");
    return store.delete(scopeId).map(removed -> {
      if (removed != null) {
        scopeCount = Math.max(0, scopeCount - 1);
        LOG.info("scope_id={} deleted", scopeId);
        tellFetchersDeleted(scopeId, sourceIdOf(removed));
        vertx.eventBus().publish(Addresses.SCOPE_DELETED, new JsonObject().put("scope_id", scopeId));
      }
      return new JsonObject();
    });
  }

  private Future<JsonObject> refresh(JsonObject body) {
    long requestedAt = clock.millis();
    Object hint = body.getValue("hinted_hash");
    if (hint != null && !(hint instanceof String s && COMMIT_HASH.matcher(s).matches())) {
      throw new InvalidScopeException("hinted_hash", "must be a commit hash (4 to 64 hex digits)");
    }
    String hintedHash = (String) hint;
    if (body.getValue("scope_id") == null) {
      return store.all().map(scopes -> {
        sync(scopes, true, null, requestedAt, true);
        return new JsonObject();
      });
    }
    String scopeId = ScopeParser.scopeId(body.getValue("scope_id"), "scope_id");
    return existing(scopeId).map(scope -> {
      // No hint: force a fetch (unless one happened after this request arrived).
      sync(List.of(scope), hintedHash == null, hintedHash, requestedAt, false);
      return new JsonObject();
    });
  }

  private Future<JsonObject> policy(JsonObject body) {
    String scopeId = ScopeParser.scopeId(body.getValue("scope_id"), "scope_id");
    Object base = body.getValue("base_hash");
    if (base != null && !(base instanceof String s && COMMIT_HASH.matcher(s).matches())) {
      throw new InvalidScopeException("base_hash", "must be a commit hash (4 to 64 hex digits)");
    }
    JsonObject request = new JsonObject().put("scope_id", scopeId).put("base_hash", base).put("format", "json");
    return vertx.eventBus().<io.vertx.core.buffer.Buffer>request(Addresses.FETCHER_BUNDLE, request, Delivery.local())
        .map(reply -> new JsonObject(reply.body()));
  }

  private void refreshScopeCount() {
    store.all().onSuccess(scopes -> scopeCount = scopes.size());
  }

  private Future<JsonObject> stats() {
    Future<Integer> scopes = store.all().map(List::size).onSuccess(n -> scopeCount = n);
    Future<JsonObject> fetcher = vertx.eventBus()
        .<JsonObject>request(Addresses.FETCHER_STATS, new JsonObject(), Delivery.local())
        .map(Message::body);
    Future<JsonObject> process = vertx.executeBlocking(ProcessStats::read);
    return Future.all(scopes, fetcher, process).map(all -> new JsonObject()
        .put(StatsFields.SCOPES, scopes.result())
        .mergeIn(fetcher.result())
        .mergeIn(process.result())
        .put(StatsFields.CLUSTER_NODES, ClusterView.of(vertx).nodes()));
  }

  private Future<JsonObject> ready() {
    Future<Void> storeOk = store.ping()
        .recover(e -> Future.failedFuture(Failures.of(Failures.UNAVAILABLE, "store: " + e.getMessage())));
    return storeOk
        .compose(ok -> vertx.eventBus().request(Addresses.FETCHER_STATS, new JsonObject(), Delivery.local()))
        .recover(e -> Failures.statusOf(e) == Failures.UNAVAILABLE && !(e.getMessage() != null
            && e.getMessage().startsWith("store:"))
            ? Future.failedFuture(Failures.of(Failures.UNAVAILABLE, "fetcher: " + Failures.detailOf(e)))
            : Future.failedFuture(e))
        .map(ignored -> new JsonObject().put("status", "ready"));
  }

  /**
   * A verified push (DESIGN §8): refreshes, with a forced fetch, exactly the scopes whose
   * url names the pushed repository and whose branch was pushed.
   */
  private Future<JsonObject> webhookPush(JsonObject body) {
    PushEvent event = PushEvents.fromJson(body);
    long requestedAt = clock.millis();
    return store.all().map(scopes -> {
      List<Scope> concerned = scopes.stream()
          .filter(s -> event.concernsBranch(s.policy().branch()) && RepositoryMatcher.matches(s.policy().url(), event))
          .toList();
      sync(concerned, true, null, requestedAt, false);
      List<String> ids = concerned.stream().map(Scope::scopeId).sorted().toList();
      LOG.info("webhook push from {} ({} {}): refreshing {} scopes", event.provider(), event.fullNames(),
          event.branches(), ids.size());
      return new JsonObject().put("scopes", new JsonArray(ids));
    });
  }

  // --- the fetcher's questions -----------------------------------------------------------

  private Future<JsonObject> storedScope(JsonObject body) {
    return existing(body.getString("scope_id")).map(Scope::toStoredJson);
  }

  private Future<JsonObject> sourceInUse(JsonObject body) {
    String sourceId = body.getString("source_id");
    return store.all().map(scopes -> new JsonObject().put("in_use",
        scopes.stream().anyMatch(s -> sourceIdOf(s).equals(sourceId))));
  }

  // --- helpers ---------------------------------------------------------------------------

  private Future<Scope> existing(String scopeId) {
    return store.get(scopeId).compose(scope -> scope == null
        ? Future.failedFuture(Failures.of(Failures.NOT_FOUND, "No such scope: " + scopeId))
        : Future.succeededFuture(scope));
  }

  private String sourceIdOf(Scope scope) {
    return SourceId.of(scope.policy(), config.cloneShards());
  }

  /**
   * Asks every node's fetcher to sync these scopes. A batch syncs one scope per source
   * with a forced fetch first and the others without fetching (DESIGN §3).
   */
  private void sync(List<Scope> scopes, boolean forceFetch, String hintedHash, long requestedAt, boolean batch) {
    if (!scopes.isEmpty()) {
      // Every node syncs its own clone; the node that took the request announces the change.
      vertx.eventBus().publish(Addresses.FETCHER_SYNC, syncMessage(scopes, forceFetch, hintedHash, requestedAt, batch)
          .put("announcer", ClusterView.of(vertx).nodeId()));
    }
  }

  private JsonObject syncMessage(List<Scope> scopes, boolean forceFetch, String hintedHash, long requestedAt,
      boolean batch) {
    JsonArray items = new JsonArray();
    for (Scope scope : scopes) {
      items.add(new JsonObject().put("scope_id", scope.scopeId()).put("source_id", sourceIdOf(scope)));
    }
    return new JsonObject()
        .put("scopes", items)
        .put("force_fetch", forceFetch)
        .put("hinted_hash", hintedHash)
        .put("requested_at", requestedAt)
        .put("batch", batch);
  }

  private void tellFetchersDeleted(String scopeId, String sourceId) {
    vertx.eventBus().publish(Addresses.FETCHER_DELETE,
        new JsonObject().put("scope_id", scopeId).put("source_id", sourceId));
  }

  private Future<Void> createConfiguredScopes() {
    List<Future<?>> created = new ArrayList<>();
    for (int i = 0; i < config.scopes().size(); i++) {
      Scope scope = parser.parse(config.scopes().getJsonObject(i));
      created.add(store.get(scope.scopeId()).compose(existing -> existing != null
          ? Future.succeededFuture()
          : store.put(scope).onSuccess(x -> LOG.info("scope_id={} created from the config file", scope.scopeId()))));
    }
    return Future.all(created).mapEmpty();
  }

  /**
   * At boot this node's fetcher first purges clone directories no scope uses (left by
   * deletes while it was down, or by OPAL), then syncs every scope: one forced fetch per
   * source first.
   */
  private Future<Void> sweepThenSyncAtBoot() {
    return vertx.eventBus().request(Addresses.FETCHER_SWEEP, new JsonObject(), Delivery.localUntilDone())
        .compose(swept -> store.all())
        .compose(scopes -> {
          LOG.info("boot: syncing {} scopes", scopes.size());
          return syncHere(scopes, clock.millis()).onSuccess(done -> LOG.info("boot sync finished"));
        });
  }

  /** Polls the scopes with {@code poll_updates}; a tick never overlaps the previous one. */
  private void pollTick() {
    if (polling) {
      LOG.info("poll tick skipped: the previous one is still running");
      return;
    }
    polling = true;
    long requestedAt = clock.millis();
    store.all()
        .compose(scopes -> syncHere(scopes.stream().filter(s -> s.policy().pollUpdates()).toList(), requestedAt))
        .onFailure(e -> LOG.warn("poll tick failed: {}", e.getMessage()))
        .onComplete(done -> polling = false);
  }

  /**
   * Has this node's fetcher sync a batch and completes when the batch is done. Boot and
   * polling are per node: each node keeps its own clones fresh.
   */
  private Future<Void> syncHere(List<Scope> scopes, long requestedAt) {
    if (scopes.isEmpty()) {
      return Future.succeededFuture();
    }
    return vertx.eventBus().request(Addresses.FETCHER_SYNC_LOCAL, syncMessage(scopes, true, null, requestedAt, true),
            Delivery.localUntilDone())
        .mapEmpty();
  }

  private static boolean bool(JsonObject body, String key) {
    Object value = body.getValue(key);
    if (value == null) {
      return false;
    }
    if (!(value instanceof Boolean b)) {
      throw new InvalidScopeException(key, "must be a boolean");
    }
    return b;
  }
}
