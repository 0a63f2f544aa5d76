package dev.scopesync.scope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.bus.Addresses;
import dev.scopesync.config.ServerConfig;
import dev.scopesync.metrics.ServerMetrics;
import dev.scopesync.model.Scope;
import dev.scopesync.model.SourceId;
import dev.scopesync.store.ScopeStore;
import dev.scopesync.store.file.FileScopeStore;
import dev.scopesync.testing.Await;
import dev.scopesync.testing.TestNode;
import dev.scopesync.validation.ScopeParser;
import dev.scopesync.webhook.PushEvent;
import dev.scopesync.webhook.PushEvents;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests cost what they concern, not what is stored (issue 12), proved with counts: with 10,000
 * other scopes in the store, a delete and the fetcher's "is this source still used?" read the store
 * once and hash no other scope's url, and a push examines none of the scopes of other repositories.
 * The store is the real file store, counted on the way in; the fetcher's side of the conversation
 * is answered by the test.
 */
class ScopeVerticleCountsTest {
  private static final int OTHERS = 10_000;
  private static final String SHARED = "https://git.example.com/org/shared.git";

  @TempDir Path dir;

  private Vertx vertx;
  private CountingStore store;
  private final List<JsonObject> syncOrders = new CopyOnWriteArrayList<>();
  private final List<JsonObject> deleteOrders = new CopyOnWriteArrayList<>();
  private final AtomicInteger bootSynced = new AtomicInteger();
  private String deployment;

  /** Counts every call that reaches the store. */
  private static final class CountingStore implements ScopeStore {
    private final ScopeStore store;
    final AtomicInteger gets = new AtomicInteger();
    final AtomicInteger alls = new AtomicInteger();
    final AtomicInteger puts = new AtomicInteger();
    final AtomicInteger deletes = new AtomicInteger();

    CountingStore(ScopeStore store) {
      this.store = store;
    }

    int calls() {
      return gets.get() + alls.get() + puts.get() + deletes.get();
    }

    void reset() {
      gets.set(0);
      alls.set(0);
      puts.set(0);
      deletes.set(0);
    }

    @Override
    public Future<Scope> get(String scopeId) {
      gets.incrementAndGet();
      return store.get(scopeId);
    }

    @Override
    public Future<List<Scope>> all() {
      alls.incrementAndGet();
      return store.all();
    }

    @Override
    public Future<Scope> put(Scope scope) {
      puts.incrementAndGet();
      return store.put(scope);
    }

    @Override
    public Future<Scope> delete(String scopeId) {
      deletes.incrementAndGet();
      return store.delete(scopeId);
    }

    @Override
    public Future<Void> ping() {
      return store.ping();
    }

    @Override
    public Future<Void> close() {
      return store.close();
    }
  }

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    vertx.eventBus().localConsumer(Addresses.FETCHER_SWEEP, m -> m.reply(new JsonObject()));
    vertx
        .eventBus()
        .<JsonObject>localConsumer(
            Addresses.FETCHER_SYNC_LOCAL,
            m -> {
              // Replied first: once the test sees the count, the boot's continuation is already
              // queued
              // on the scope verticle's context, ahead of anything the test asks it next.
              m.reply(new JsonObject());
              bootSynced.addAndGet(m.body().getJsonArray("scopes").size());
            });
    vertx.eventBus().<JsonObject>consumer(Addresses.FETCHER_SYNC, m -> syncOrders.add(m.body()));
    vertx
        .eventBus()
        .<JsonObject>consumer(Addresses.FETCHER_DELETE, m -> deleteOrders.add(m.body()));
    ScopeParser parser = ScopeParser.forStoredScopes();
    store =
        new CountingStore(
            FileScopeStore.open(vertx, dir.resolve("scopes"), parser).await(60, TimeUnit.SECONDS));
    List<Future<Scope>> puts = new ArrayList<>();
    for (int i = 0; i < OTHERS; i++) {
      puts.add(
          store.put(
              parser.parse(
                  TestNode.scope("other-" + i, "https://git.example.com/org/r" + i + ".git"))));
    }
    Future.all(puts).await(120, TimeUnit.SECONDS);
    ServerConfig config = ServerConfig.from(TestNode.baseConfig(dir));
    deployment =
        vertx
            .deployVerticle(
                new ScopeVerticle(
                    config, v -> Future.succeededFuture(store), ServerMetrics.create()))
            .await(60, TimeUnit.SECONDS);
    for (String id : List.of("a", "b")) {
      ask(Addresses.SCOPES_PUT, new JsonObject().put("scope", TestNode.scope(id, SHARED)));
    }
    Await.until(() -> syncOrders.size() >= 2); // a's and b's
    // The boot's sync of every stored scope (one message per 500, each after the last) is over.
    Await.until(() -> bootSynced.get() >= OTHERS);
    // A barrier, not a pause: the scope verticle answers this after the boot's last step has run.
    ask(Addresses.SCOPES_GET, new JsonObject().put("scope_id", "a"));
    syncOrders.clear();
    store.reset();
  }

  @AfterEach
  void stop() throws Exception {
    // As the server stops: the verticle (and with it the store) first, then Vert.x.
    vertx.undeploy(deployment).await(60, TimeUnit.SECONDS);
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private JsonObject ask(String address, JsonObject body) throws Exception {
    return vertx.eventBus().<JsonObject>request(address, body).await(30, TimeUnit.SECONDS).body();
  }

  @Test
  void aDeleteAndTheInUseQuestionReadTheStoreOnceAndHashNoOtherScopesUrl() throws Exception {
    String source = SourceId.of(SHARED, "main", 1);
    long hashes = SourceId.computed();

    ask(Addresses.SCOPES_DELETE, new JsonObject().put("scope_id", "a"));
    boolean inUse =
        ask(Addresses.FETCHER_SOURCE_IN_USE, new JsonObject().put("source_id", source))
            .getBoolean("in_use");

    assertTrue(inUse, "b still uses the source");
    assertEquals(1, store.deletes.get());
    assertEquals(1, store.calls(), "one store call: the delete (no scan, no read per scope)");
    long computed = SourceId.computed() - hashes;
    assertTrue(
        computed <= 2,
        "only the deleted scope's source id is computed, not " + OTHERS + "'s: " + computed);
    assertEquals(
        List.of(new JsonObject().put("scope_id", "a").put("source_id", source)), deleteOrders);

    ask(Addresses.SCOPES_DELETE, new JsonObject().put("scope_id", "b"));
    assertEquals(
        false,
        ask(Addresses.FETCHER_SOURCE_IN_USE, new JsonObject().put("source_id", source))
            .getBoolean("in_use"),
        "the last scope of the source is gone");
    assertEquals(2, store.calls());
  }

  @Test
  void aPushExaminesOnlyTheScopesOfItsRepository() throws Exception {
    long hashes = SourceId.computed();

    JsonObject answer =
        ask(
            Addresses.WEBHOOK_PUSH,
            PushEvents.toJson(
                new PushEvent(
                    "github",
                    true,
                    "push",
                    List.of(SHARED),
                    List.of("org/shared"),
                    List.of("main"))));
    JsonObject none =
        ask(
            Addresses.WEBHOOK_PUSH,
            PushEvents.toJson(
                new PushEvent(
                    "github",
                    true,
                    "push",
                    List.of("https://git.example.com/org/unknown.git"),
                    List.of("org/unknown"),
                    List.of("main"))));

    assertEquals(new JsonArray().add("a").add("b"), answer.getJsonArray("scopes"));
    assertEquals(new JsonArray(), none.getJsonArray("scopes"));
    Await.until(() -> !syncOrders.isEmpty());
    assertEquals(1, syncOrders.size(), "one order for the pushed repository's scopes");
    assertEquals(2, syncOrders.get(0).getJsonArray("scopes").size());
    long computed = SourceId.computed() - hashes;
    assertEquals(
        2,
        computed,
        "the two matching scopes' source ids for their order, none of the " + OTHERS + " others'");
    assertEquals(0, store.calls(), "a push is answered from the index");
  }
}
