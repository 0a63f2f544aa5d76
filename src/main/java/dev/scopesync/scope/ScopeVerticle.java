package dev.scopesync.scope;

import dev.scopesync.bus.Addresses;
import dev.scopesync.bus.ClusterView;
import dev.scopesync.bus.Failures;
import dev.scopesync.bus.FetcherOrders;
import dev.scopesync.bus.ScopeAnswer;
import dev.scopesync.bus.ScopeQueries;
import dev.scopesync.bus.SyncedEvent;
import dev.scopesync.config.ServerConfig;
import dev.scopesync.metrics.ServerMetrics;
import dev.scopesync.model.Scope;
import dev.scopesync.model.SourceId;
import dev.scopesync.serving.ServedBundles;
import dev.scopesync.store.ScopeStore;
import dev.scopesync.validation.GitUrlPolicy;
import dev.scopesync.validation.ScopeParser;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns scopes (DESIGN §1): validation, the store, which scopes a sync concerns, and the answer to
 * the fetcher's question whether a source is still used. It never touches git: it tells every
 * node's fetcher what to sync and what was deleted.
 *
 * <p>Reads come from the node's {@link ScopeMirror} of the store (DESIGN §13): no request reads
 * every scope. Writes go to the store first and are acknowledged once it has them. What the
 * fetchers are told goes through {@link SyncOrders}.
 */
public final class ScopeVerticle extends VerticleBase implements ScopeQueries {
  private static final Logger LOG = LoggerFactory.getLogger(ScopeVerticle.class);
  private static final long BOOT_RETRY_MILLIS = 5_000;

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

  /** The public addresses' handlers. */
  private ScopeRequests requests;

  /** The scopes the configuration names. */
  private ConfiguredScopes configured;

  public ScopeVerticle(
      ServerConfig config,
      Function<io.vertx.core.Vertx, Future<ScopeStore>> storeFactory,
      ServerMetrics metrics) {
    this(config, storeFactory, metrics, Clock.systemUTC());
  }

  public ScopeVerticle(
      ServerConfig config,
      Function<io.vertx.core.Vertx, Future<ScopeStore>> storeFactory,
      ServerMetrics metrics,
      Clock clock) {
    this.config = config;
    this.storeFactory = storeFactory;
    this.metrics = metrics;
    this.clock = clock;
    this.parser = new ScopeParser(new GitUrlPolicy(config.allowedSchemes()));
  }

  @Override
  public Future<?> start() {
    return storeFactory
        .apply(vertx)
        .compose(
            s -> {
              store = s;
              orders = new SyncOrders(vertx, this::sourceIdOf, () -> stopped);
              mirror = new ScopeMirror(vertx, store, this::sourceIdOf, orders, clock);
              requests =
                  new ScopeRequests(vertx, parser, store, mirror, orders, this::sourceIdOf, clock);
              configured = new ConfiguredScopes(config, parser, store, mirror, orders);
              // Loaded once, with the configured scopes created, before any request is taken; a
              // store
              // that is down (Redis not there yet) is loaded when boot retries.
              return mirror
                  .load()
                  .compose(ok -> configured.ensure())
                  .otherwise(
                      e -> {
                        LOG.warn("store not loaded at start: {}", e.getMessage());
                        return null;
                      });
            })
        .compose(
            loaded -> {
              register(Addresses.SCOPES_PUT, requests::put);
              register(Addresses.SCOPES_GET, afterLoad(requests::get));
              register(Addresses.SCOPES_STATUS, afterLoad(requests::status));
              register(Addresses.SCOPES_LIST, afterLoad(requests::list));
              register(Addresses.SCOPES_DELETE, requests::delete);
              register(Addresses.SCOPES_REFRESH, afterLoad(requests::refresh));
              register(Addresses.SCOPES_POLICY, requests::policy);
              register(Addresses.STATS, body -> requests.stats());
              registerLocal(Addresses.READY, body -> requests.ready());
              register(Addresses.WEBHOOK_PUSH, afterLoad(requests::webhookPush));
              consumers.addAll(ScopeQueries.bind(vertx, this));
              // This node's fetcher's outcomes, for GET /scopes/{id}/status, only for scopes that
              // still exist. A local consumer still hears other nodes' publishes when a clustered
              // consumer of the address lives here too, hence the node check.
              consumers.add(
                  vertx
                      .eventBus()
                      .<JsonObject>localConsumer(
                          Addresses.FETCHER_SYNCED,
                          m -> {
                            SyncedEvent event = SyncedEvent.fromJson(m.body());
                            if (ClusterView.of(vertx).nodeId().equals(event.node())
                                && mirror.index().get(event.scopeId()) != null) {
                              mirror.statuses().record(event, clock.instant());
                            }
                          }));
              consumers.add(
                  vertx
                      .eventBus()
                      .<JsonObject>consumer(
                          Addresses.SCOPES_CHANGED, m -> mirror.onChanged(m.body())));
              return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
            })
        .onSuccess(
            ignored -> {
              metrics.gauge(ServerMetrics.SCOPES, "scopes in the store", mirror::size);
              if (store.shared()) {
                reconcileTimer =
                    vertx.setPeriodic(
                        config.storeReconcileSeconds() * 1000L,
                        id -> {
                          if (!stopped) {
                            mirror.reconcile();
                          }
                        });
              }
              boot();
              if (config.pollingIntervalSeconds() > 0) {
                pollTimer =
                    vertx.setPeriodic(config.pollingIntervalSeconds() * 1000L, id -> pollTick());
              }
            });
  }

  /**
   * Creates the configured scopes, sweeps unused clones and syncs everything. A store that is down
   * (Redis not there yet) does not stop the node: it starts not-ready and boots as soon as the
   * store answers.
   */
  private void boot() {
    mirror
        .load()
        .compose(ready -> configured.ensure())
        .compose(created -> sweepThenSyncAtBoot())
        .onFailure(
            e -> {
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

  /**
   * Registers a request handler whose future's value is the reply and whose failure is a coded
   * reply.
   */
  private void register(String address, Function<JsonObject, Future<JsonObject>> handler) {
    consumers.add(vertx.eventBus().<Object>consumer(address, message -> handle(message, handler)));
  }

  /**
   * A handler that reads the index: it waits for the index to be loaded from the store (at once
   * when it is; a store that was down at start is read now, by the first such request).
   */
  private Function<JsonObject, Future<JsonObject>> afterLoad(
      Function<JsonObject, Future<JsonObject>> handler) {
    return body -> mirror.load().compose(loaded -> handler.apply(body));
  }

  /** As {@link #register}, for questions about this node only. */
  private void registerLocal(String address, Function<JsonObject, Future<JsonObject>> handler) {
    consumers.add(
        vertx.eventBus().<Object>localConsumer(address, message -> handle(message, handler)));
  }

  private static void handle(
      Message<Object> message, Function<JsonObject, Future<JsonObject>> handler) {
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
    reply
        .onSuccess(message::reply)
        .onFailure(
            e -> {
              if (Failures.statusOf(e) >= 500) {
                LOG.warn("{} failed: {}", message.address(), e.toString());
              }
              Failures.reply(message, e);
            });
  }

  // --- the fetcher's questions -----------------------------------------------------------

  /**
   * The fetcher's question before a sync or a bundle: the scope as stored now. For a bundle ({@code
   * serving}), also the scope's slot in the node's served bundles, opened here with the generation
   * told, so the fetcher publishes what it builds only while the scope is still this one (DESIGN
   * §18).
   */
  @Override
  public Future<ScopeAnswer> scope(String scopeId, boolean serving) {
    return mirror
        .current(scopeId)
        .map(
            scope -> {
              if (scope == null) {
                return null;
              }
              // A store read that a write here overtook tells an older value than the index holds:
              // answered, but no slot is opened for it (nothing built from it is ever published).
              long generation =
                  serving && scope.equals(mirror.index().get(scopeId))
                      ? ServedBundles.of(vertx).open(scopeId, scope)
                      : 0;
              return new ScopeAnswer(scope, generation);
            });
  }

  /** The fetcher's question before a purge: whether any scope still uses the source. */
  @Override
  public Future<Boolean> sourceInUse(String sourceId) {
    return mirror.inUse(sourceId);
  }

  @Override
  public Future<Void> offerScopes() {
    return orders.offerHere(mirror.index().chunksBySource(SyncOrders.CHUNK, s -> true));
  }

  // --- helpers ---------------------------------------------------------------------------

  private String sourceIdOf(Scope scope) {
    return SourceId.of(scope.policy(), config.cloneShards());
  }

  /**
   * At boot this node's fetcher first purges clone directories no scope uses (left by deletes while
   * it was down, or by OPAL), then syncs every scope: one forced fetch per source first.
   */
  private Future<Void> sweepThenSyncAtBoot() {
    return FetcherOrders.of(vertx)
        .sweep()
        .compose(
            swept -> {
              LOG.info("boot: syncing {} scopes", mirror.index().size());
              return orders
                  .here(
                      mirror.index().chunksBySource(SyncOrders.CHUNK, s -> true),
                      clock.millis(),
                      true)
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
    orders
        .here(
            mirror.index().chunksBySource(SyncOrders.CHUNK, s -> s.policy().pollUpdates()),
            requestedAt,
            true)
        .onFailure(e -> LOG.warn("poll tick failed: {}", e.getMessage()))
        .onComplete(done -> polling = false);
  }
}
