package dev.scopesync.scope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.model.Scope;
import dev.scopesync.model.SourceId;
import dev.scopesync.store.ScopeStore;
import dev.scopesync.testing.TestNode;
import dev.scopesync.validation.ScopeParser;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The mirror's answers when store replies arrive late or out of order: a fault a real store causes
 * only by chance (a pooled Redis connection answering after another), so the store here answers
 * when the test says.
 */
class ScopeMirrorTest {
  private final Vertx vertx = Vertx.vertx();
  private final ScopeParser parser = ScopeParser.forStoredScopes();

  /** A shared store whose every read waits until the test completes it. */
  private static final class HeldStore implements ScopeStore {
    final List<Promise<List<Scope>>> alls = new ArrayList<>();
    final List<Promise<Scope>> gets = new ArrayList<>();

    @Override
    public Future<Scope> get(String scopeId) {
      Promise<Scope> p = Promise.promise();
      gets.add(p);
      return p.future();
    }

    @Override
    public Future<List<Scope>> all() {
      Promise<List<Scope>> p = Promise.promise();
      alls.add(p);
      return p.future();
    }

    @Override
    public Future<Scope> put(Scope scope) {
      return Future.succeededFuture();
    }

    @Override
    public Future<Scope> delete(String scopeId) {
      return Future.succeededFuture();
    }

    @Override
    public boolean shared() {
      return true;
    }

    @Override
    public Future<Void> ping() {
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> close() {
      return Future.succeededFuture();
    }
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private Scope scope(String id, String url) {
    return parser.parse(TestNode.scope(id, url));
  }

  /** Runs on a Vert.x context, as the scope verticle does, and waits for it. */
  private <T> T onContext(java.util.function.Supplier<T> work) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    vertx.getOrCreateContext().runOnContext(v -> result.complete(work.get()));
    return result.get(30, TimeUnit.SECONDS);
  }

  private ScopeMirror mirror(HeldStore store) {
    return new ScopeMirror(
        vertx,
        store,
        s -> SourceId.of(s.policy(), 1),
        new SyncOrders(vertx, s -> SourceId.of(s.policy(), 1), () -> false),
        Clock.systemUTC());
  }

  @Test
  void everyCallerDuringTheLoadWaitsForTheSameScanAndLocalWritesOutliveIt() throws Exception {
    HeldStore store = new HeldStore();
    ScopeMirror mirror = mirror(store);
    List<Future<Void>> loads =
        onContext(() -> List.of(mirror.load(), mirror.load(), mirror.load()));
    assertEquals(1, store.alls.size(), "one scan for three callers");

    Scope written = scope("a", "https://git.example.com/new.git");
    onContext(() -> mirror.put(written)); // this node writes "a" while the scan is out
    onContext(() -> mirror.remove("b")); // and deletes "b"
    onContext(
        () -> {
          store
              .alls
              .get(0)
              .complete(
                  List.of(
                      scope("a", "https://git.example.com/old.git"),
                      scope("b", "https://git.example.com/b.git"),
                      scope("c", "https://git.example.com/c.git")));
          return null;
        });
    Future.all(loads).await(30, TimeUnit.SECONDS);

    assertTrue(mirror.loaded());
    assertSame(written, mirror.index().get("a"), "the scan read a before this node's write");
    assertNull(mirror.index().get("b"), "the scan read b before this node's delete");
    assertEquals(2, mirror.size());
    onContext(mirror::load);
    assertEquals(1, store.alls.size(), "loaded: no second scan");
  }

  @Test
  void aReReadThatReturnsAfterALocalWriteDoesNotUndoIt() throws Exception {
    HeldStore store = new HeldStore();
    ScopeMirror mirror = mirror(store);
    onContext(
        () -> {
          mirror.load();
          store.alls.get(0).complete(List.of());
          return null;
        });
    onContext(
        () -> {
          mirror.onChanged(new JsonObject().put("scope_id", "a").put("node", "another node"));
          return null;
        });
    Scope written = scope("a", "https://git.example.com/new.git");
    onContext(() -> mirror.put(written));
    onContext(
        () -> {
          store
              .gets
              .get(0)
              .complete(scope("a", "https://git.example.com/old.git")); // read before the write
          return null;
        });
    assertSame(written, onContext(() -> mirror.index().get("a")));

    // A re-read with no local write meanwhile is taken.
    Scope elsewhere = scope("a", "https://git.example.com/elsewhere.git");
    onContext(
        () -> {
          mirror.onChanged(new JsonObject().put("scope_id", "a").put("node", "another node"));
          store.gets.get(1).complete(elsewhere);
          return null;
        });
    assertSame(elsewhere, onContext(() -> mirror.index().get("a")));
  }
}
