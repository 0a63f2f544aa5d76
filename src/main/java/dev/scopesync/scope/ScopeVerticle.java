package dev.scopesync.scope;

import dev.scopesync.model.SourceId;

import dev.scopesync.model.InvalidScopeException;

import dev.scopesync.model.Scope;

import dev.scopesync.store.ScopeStore;
import dev.scopesync.validation.GitUrlPolicy;
import dev.scopesync.validation.ScopeParser;

import dev.scopesync.serving.ServedBundles;
import dev.scopesync.validation.CommitHash;
import dev.scopesync.bus.Addresses;
import dev.scopesync.bus.ClusterView;
import dev.scopesync.bus.Delivery;
import dev.scopesync.bus.Failures;
import dev.scopesync.bus.StatsFields;
import dev.scopesync.config.ServerConfig;
import dev.scopesync.metrics.ServerMetrics;
import dev.scopesync.metrics.ProcessStats;
import dev.scopesync.webhook.PushEvent;
import dev.scopesync.webhook.PushEvents;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns scopes (DESIGN §1): validation, the store, which scopes a sync concerns, and the
 * answer to the fetcher's question whether a source is still used. It never touches git:
 * it tells every node's fetcher what to sync and what was deleted.
 *
 * <p>Reads come from the node's {@link ScopeMirror} of the store (DESIGN §13): no request
 * reads every scope. Writes go to the store first and are acknowledged once it has them.
 * What the fetchers are told goes through {@link SyncOrders}.
 */
public final class ScopeVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ScopeVerticle.class);
  private static final long BOOT_RETRY_MILLIS = 5_000;
  /** The most scopes one page of a list answers. */
  public static final int MAX_PAGE = 10_000;

  private final ServerConfig config;
  private final Function<io.vertx.core.Vertx, Future<ScopeStore>> storeFactory;
  private final Clock clock;
  private final ScopeParser parser;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private final ServerMetrics metrics;
  private long reconcileTimer = -1;
  private ScopeStore store;
  /** The scopes this node knows, kept in line with the store. */
  private ScopeMirror mirror;
  /** What the fetchers are told. */
  private SyncOrders orders;
  private long pollTimer = -1;
  private long bootTimer = -1;
  private volatile boolean stopped;
  /** A poll tick in progress: the next tick is skipped rather than piled on top of it. */
  private boolean polling;
  /** The config file's scopes are in the store. */
  private boolean configuredCreated;

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
          orders = new SyncOrders(vertx, this::sourceIdOf, () -> stopped);
          mirror = new ScopeMirror(vertx, store, this::sourceIdOf, orders, clock);
          // Loaded once, with the configured scopes created, before any request is taken; a store
          // that is down (Redis not there yet) is loaded when boot retries.
          return mirror.load().compose(ok -> createConfiguredScopes()).otherwise(e -> {
            LOG.warn("store not loaded at start: {}", e.getMessage());
            return null;
          });
        })
        .compose(loaded -> {
          register(Addresses.SCOPES_PUT, this::put);
          register(Addresses.SCOPES_GET, afterLoad(this::get));
          register(Addresses.SCOPES_LIST, afterLoad(this::list));
          register(Addresses.SCOPES_DELETE, this::delete);
          register(Addresses.SCOPES_REFRESH, afterLoad(this::refresh));
          register(Addresses.SCOPES_POLICY, this::policy);
          register(Addresses.STATS, body -> stats());
          registerLocal(Addresses.READY, body -> ready());
          register(Addresses.WEBHOOK_PUSH, afterLoad(this::webhookPush));
          register(Addresses.FETCHER_SCOPE, this::storedScope);
          register(Addresses.FETCHER_SOURCE_IN_USE, this::sourceInUse);
          consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.SCOPES_CHANGED,
              m -> mirror.onChanged(m.body())));
          return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
        })
        .onSuccess(ignored -> {
          metrics.gauge(ServerMetrics.SCOPES, "scopes in the store", mirror::size);
          if (store.shared()) {
            reconcileTimer = vertx.setPeriodic(config.storeReconcileSeconds() * 1000L, id -> {
              if (!stopped) {
                mirror.reconcile();
              }
            });
          }
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
    mirror.load()
        .compose(ready -> createConfiguredScopes())
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
    vertx.cancelTimer(reconcileTimer);
    return Future.all(consumers.stream().map(MessageConsumer::unregister).toList())
        .eventually(() -> store == null ? Future.succeededFuture() : store.close());
  }

  /** Registers a request handler whose future's value is the reply and whose failure is a coded reply. */
  private void register(String address, Function<JsonObject, Future<JsonObject>> handler) {
    consumers.add(vertx.eventBus().<Object>consumer(address, message -> handle(message, handler)));
  }

  /**
   * A handler that reads the index: it waits for the index to be loaded from the store (at
   * once when it is; a store that was down at start is read now, by the first such request).
   */
  private Function<JsonObject, Future<JsonObject>> afterLoad(Function<JsonObject, Future<JsonObject>> handler) {
    return body -> mirror.load().compose(loaded -> handler.apply(body));
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
    return store.put(scope).map(stored -> {
      Scope indexed = mirror.put(scope);
      Scope previous = stored != null ? stored : indexed;
      String sourceId = sourceIdOf(scope);
      if (previous != null && !sourceIdOf(previous).equals(sourceId)) {
        // The scope moved to another source: its old clone may now be unused.
        orders.deleted(previous.scopeId(), sourceIdOf(previous));
      }
      mirror.announce(scope.scopeId());
      LOG.info("scope_id={} source_id={} stored", scope.scopeId(), sourceId);
      orders.everywhere(List.of(scope), forceFetch, null, requestedAt, false);
      return new JsonObject();
    });
  }

  private Future<JsonObject> get(JsonObject body) {
    String scopeId = ScopeParser.scopeId(body.getValue("scope_id"), "scope_id");
    return existing(scopeId).map(Scope::toPublicJson);
  }

  /**
   * One page of scopes in id order: {@code limit} (default and at most {@link #MAX_PAGE}) after
   * {@code after}; {@code next} is the id to continue after, or null on the last page.
   */
  private Future<JsonObject> list(JsonObject body) {
    Object after = body.getValue("after");
    if (after != null && !(after instanceof String)) {
      throw new InvalidScopeException("after", "must be a scope id");
    }
    Object limitValue = body.getValue("limit");
    if (limitValue != null && !(limitValue instanceof Integer i && i >= 1 && i <= MAX_PAGE)) {
      throw new InvalidScopeException("limit", "must be an integer from 1 to " + MAX_PAGE);
    }
    int limit = limitValue == null ? MAX_PAGE : (Integer) limitValue;
    List<Scope> page = mirror.index().page((String) after, limit + 1);
    boolean more = page.size() > limit;
    List<Scope> shown = more ? page.subList(0, limit) : page;
    return Future.succeededFuture(new JsonObject()
        .put("scopes", new JsonArray(shown.stream().map(Scope::toPublicJson).toList()))
        .put("next", more ? shown.get(shown.size() - 1).scopeId() : null));
  }

  private Future<JsonObject> delete(JsonObject body) {
    String scopeId = ScopeParser.scopeId(body.getValue("scope_id"), "scope_id");
    return store.delete(scopeId).map(stored -> {
      Scope indexed = mirror.remove(scopeId);
      Scope removed = stored != null ? stored : indexed;
      mirror.announce(scopeId);
      if (removed != null) {
        LOG.info("scope_id={} deleted", scopeId);
        orders.deleted(scopeId, sourceIdOf(removed));
        vertx.eventBus().publish(Addresses.SCOPE_DELETED, new JsonObject().put("scope_id", scopeId));
      }
      return new JsonObject();
    });
  }

  private Future<JsonObject> refresh(JsonObject body) {
    long requestedAt = clock.millis();
    Object hint = body.getValue("hinted_hash");
    if (hint != null && !(hint instanceof String s && CommitHash.valid(s))) {
      throw new InvalidScopeException("hinted_hash", CommitHash.RULE);
    }
    String hintedHash = (String) hint;
    if (body.getValue("scope_id") == null) {
      // Every node syncs every scope, one message per chunk of whole sources.
      for (List<Scope> chunk : mirror.index().chunksBySource(SyncOrders.CHUNK, s -> true)) {
        orders.everywhere(chunk, true, null, requestedAt, true);
      }
      return Future.succeededFuture(new JsonObject());
    }
    String scopeId = ScopeParser.scopeId(body.getValue("scope_id"), "scope_id");
    return existing(scopeId).map(scope -> {
      // No hint: force a fetch (unless one happened after this request arrived).
      orders.everywhere(List.of(scope), hintedHash == null, hintedHash, requestedAt, false);
      return new JsonObject();
    });
  }

  private Future<JsonObject> policy(JsonObject body) {
    String scopeId = ScopeParser.scopeId(body.getValue("scope_id"), "scope_id");
    Object base = body.getValue("base_hash");
    if (base != null && !(base instanceof String s && CommitHash.valid(s))) {
      throw new InvalidScopeException("base_hash", CommitHash.RULE);
    }
    JsonObject request = new JsonObject().put("scope_id", scopeId).put("base_hash", base).put("format", "json");
    return vertx.eventBus().<io.vertx.core.buffer.Buffer>request(Addresses.FETCHER_BUNDLE, request, Delivery.local())
        .map(reply -> new JsonObject(reply.body()));
  }

  private Future<JsonObject> stats() {
    Future<Integer> scopes = Future.succeededFuture(mirror.index().size());
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
    Future<Void> storeOk = store.ping().compose(ok -> mirror.load())
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
    List<Scope> concerned = mirror.index().concernedBy(event);
    // After the answer: a push to a repository thousands of scopes use answers as soon as it
    // knows which, and the sync orders (a message per 500 scopes) are built on the next turn.
    vertx.getOrCreateContext().runOnContext(next -> orders.everywhere(concerned, true, null, requestedAt, false));
    List<String> ids = concerned.stream().map(Scope::scopeId).toList();
    LOG.info("webhook push from {} ({} {}): refreshing {} scopes", event.provider(), event.fullNames(),
        event.branches(), ids.size());
    return Future.succeededFuture(new JsonObject().put("scopes", new JsonArray(ids)));
  }

  // --- the fetcher's questions -----------------------------------------------------------

  /** The fetcher's question before each sync: the scope as stored now ({@link ScopeMirror#current}). */
  /**
   * The fetcher's question before a sync or a bundle: {@code {"scope": <as stored now>}}. For a
   * bundle ({@code serving}), also {@code served_generation}: the scope's slot in the node's served
   * bundles, opened here with the value told, so the fetcher publishes what it builds only while
   * the scope is still this one (DESIGN §18).
   */
  private Future<JsonObject> storedScope(JsonObject body) {
    String scopeId = body.getString("scope_id");
    boolean serving = body.getBoolean("serving", false);
    return mirror.current(scopeId).compose(scope -> {
      if (scope == null) {
        return Future.failedFuture(Failures.of(Failures.NOT_FOUND, "No such scope: " + scopeId));
      }
      JsonObject reply = new JsonObject().put("scope", scope.toStoredJson());
      // A store read that a write here overtook tells an older value than the index holds:
      // answered, but no slot is opened for it (nothing built from it is ever published).
      if (serving && scope.equals(mirror.index().get(scopeId))) {
        reply.put("served_generation", ServedBundles.of(vertx).open(scopeId));
      }
      return Future.succeededFuture(reply);
    });
  }

  /** The fetcher's question before a purge: whether any scope still uses the source. */
  private Future<JsonObject> sourceInUse(JsonObject body) {
    return mirror.inUse(body.getString("source_id")).map(inUse -> new JsonObject().put("in_use", inUse));
  }

  // --- helpers ---------------------------------------------------------------------------

  private Future<Scope> existing(String scopeId) {
    Scope scope = mirror.index().get(scopeId);
    return scope == null
        ? Future.failedFuture(Failures.of(Failures.NOT_FOUND, "No such scope: " + scopeId))
        : Future.succeededFuture(scope);
  }

  private String sourceIdOf(Scope scope) {
    return SourceId.of(scope.policy(), config.cloneShards());
  }

  /** Creates the scopes of the config file that the store lacks; once (start, or a boot retry if the store was down). */
  private Future<Void> createConfiguredScopes() {
    if (configuredCreated) {
      return Future.succeededFuture();
    }
    List<Future<?>> created = new ArrayList<>();
    for (int i = 0; i < config.scopes().size(); i++) {
      Scope scope = parser.parse(config.scopes().getJsonObject(i));
      created.add(store.get(scope.scopeId()).compose(existing -> existing != null
          ? Future.succeededFuture(mirror.put(existing))
          : store.put(scope).onSuccess(x -> {
            mirror.put(scope);
            mirror.announce(scope.scopeId());
            LOG.info("scope_id={} created from the config file", scope.scopeId());
          })));
    }
    for (Object owned : config.opal().ownedScopes()) {
      created.add(putOwned(parser.parse(owned)));
    }
    return Future.all(created).<Void>mapEmpty().onSuccess(done -> configuredCreated = true);
  }

  /**
   * A scope the configuration owns (OPAL's {@code POLICY_REPO_*} default scope) follows it: put
   * when stored differently, as OPAL's loader re-puts it at every start. A moved source is purged
   * like any PUT's, when nothing else uses it.
   */
  private Future<Void> putOwned(Scope scope) {
    return store.get(scope.scopeId()).compose(existing -> {
      if (scope.equals(existing)) {
        mirror.put(existing);
        return Future.succeededFuture();
      }
      return store.put(scope).map(stored -> {
        Scope indexed = mirror.put(scope);
        Scope previous = existing != null ? existing : indexed;
        if (previous != null && !sourceIdOf(previous).equals(sourceIdOf(scope))) {
          orders.deleted(previous.scopeId(), sourceIdOf(previous));
        }
        mirror.announce(scope.scopeId());
        LOG.info("scope_id={} {} from the OPAL_POLICY_REPO_* environment", scope.scopeId(),
            existing == null ? "created" : "updated");
        return null;
      });
    });
  }

  /**
   * At boot this node's fetcher first purges clone directories no scope uses (left by
   * deletes while it was down, or by OPAL), then syncs every scope: one forced fetch per
   * source first.
   */
  private Future<Void> sweepThenSyncAtBoot() {
    return vertx.eventBus().request(Addresses.FETCHER_SWEEP, new JsonObject(), Delivery.localUntilDone())
        .compose(swept -> {
          LOG.info("boot: syncing {} scopes", mirror.index().size());
          return orders.here(mirror.index().chunksBySource(SyncOrders.CHUNK, s -> true), clock.millis())
              .onSuccess(done -> LOG.info("boot sync finished"));
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
    orders.here(mirror.index().chunksBySource(SyncOrders.CHUNK, s -> s.policy().pollUpdates()), requestedAt)
        .onFailure(e -> LOG.warn("poll tick failed: {}", e.getMessage()))
        .onComplete(done -> polling = false);
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
