package dev.scopesync.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.model.Scope;
import dev.scopesync.validation.ScopeParser;
import dev.scopesync.validation.ScopeParserTest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every {@link ScopeStore} must do (DESIGN §9), run against each implementation by a subclass
 * that says how to open one. Within a test, every {@link #openStore} call opens the same underlying
 * storage, so a second call is a reopen.
 */
public abstract class ScopeStoreConformanceTest {
  /** How stored scopes are parsed in production (Server.storeFactory). */
  public static final ScopeParser STORED = ScopeParser.forStoredScopes();

  protected Vertx vertx;
  private final List<ScopeStore> opened = new ArrayList<>();

  /** Opens a store over this test's storage. */
  protected abstract Future<ScopeStore> openStore(Vertx vertx);

  @BeforeEach
  void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void closeEverything() throws Exception {
    try {
      for (ScopeStore store : opened) {
        store.close().await(30, TimeUnit.SECONDS);
      }
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  protected ScopeStore open() throws Exception {
    ScopeStore store = await(openStore(vertx));
    opened.add(store);
    return store;
  }

  // --- the contract ----------------------------------------------------------------------

  @Test
  void anEmptyStoreHasNoScopes() throws Exception {
    ScopeStore store = open();
    assertEquals(List.of(), await(store.all()));
    assertNull(await(store.get("tenant-a")));
  }

  @Test
  void pingSucceedsWhileTheStoreIsUsable() throws Exception {
    await(open().ping());
  }

  @Test
  void everyAuthKindRoundTripsWithItsSecrets() throws Exception {
    ScopeStore store = open();
    List<Scope> scopes =
        List.of(
            scope("none", "main"),
            withAuth(
                "token",
                new JsonObject().put("auth_type", "github_token").put("token", "ghp_SECRET")),
            withAuth(
                "userpass",
                new JsonObject()
                    .put("auth_type", "userpass")
                    .put("username", "bob")
                    .put("password", "hunter2")),
            withAuth(
                "ssh",
                new JsonObject()
                    .put("auth_type", "ssh")
                    .put("username", "git")
                    .put("private_key", ScopeParserTest.OPENSSH_KEY)
                    .put("public_key", "ssh-ed25519 AAAA test")));
    for (Scope scope : scopes) {
      assertNull(await(store.put(scope)));
    }
    for (Scope scope : scopes) {
      Scope stored = await(store.get(scope.scopeId()));
      assertEquals(scope, stored);
      assertEquals(scope.toStoredJson(), stored.toStoredJson());
    }
    assertEquals(byId(scopes), byId(await(store.all())));
  }

  @Test
  void dataAndEveryPolicyFieldAreKept() throws Exception {
    ScopeStore store = open();
    JsonObject doc = scope("tenant-a", "release/1.x").toStoredJson();
    doc.getJsonObject("policy")
        .put("directories", new JsonArray().add("policies").add("shared/data"))
        .put("extensions", new JsonArray().add(".rego"))
        .put("manifest", "policies/.manifest")
        .put("bundle_ignore", new JsonArray().add("tests/**").add("*.md"))
        .put("poll_updates", true);
    doc.put(
        "data",
        new JsonObject()
            .put(
                "entries",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("url", "https://api.example.com/users")
                            .put("topics", new JsonArray().add("users"))
                            .put("dst_path", "/users")
                            .put(
                                "config",
                                new JsonObject()
                                    .put(
                                        "headers",
                                        new JsonObject().put("Authorization", "Bearer SECRET"))))));
    Scope scope = STORED.parse(doc);
    await(store.put(scope));
    assertEquals(scope, await(store.get("tenant-a")));
    assertEquals(doc, await(store.get("tenant-a")).toStoredJson());
  }

  @Test
  void putAnswersNullForANewScopeAndTheReplacedOneOtherwise() throws Exception {
    ScopeStore store = open();
    Scope first = scope("tenant-a", "main");
    Scope second = scope("tenant-a", "develop");
    Scope third =
        withAuth("tenant-a", new JsonObject().put("auth_type", "github_token").put("token", "t"));
    assertNull(await(store.put(first)));
    assertEquals(first, await(store.put(second)));
    assertEquals(second, await(store.put(third)));
    assertEquals(third, await(store.get("tenant-a")));
    assertEquals(List.of(third), await(store.all()));
  }

  @Test
  void deleteAnswersTheRemovedScopeThenNull() throws Exception {
    ScopeStore store = open();
    Scope a = scope("tenant-a", "main");
    Scope b = scope("tenant-b", "main");
    await(store.put(a));
    await(store.put(b));
    assertEquals(a, await(store.delete("tenant-a")));
    assertNull(await(store.delete("tenant-a")));
    assertNull(await(store.delete("never-existed")));
    assertNull(await(store.get("tenant-a")));
    assertEquals(List.of(b), await(store.all()));
  }

  static Stream<String> unusualIds() {
    return Stream.of(
        "tenant ü 日本語",
        "with  spaces ",
        "a:b:c",
        "permit.io:Scope:nested",
        "glob*?[chars]\\",
        "emoji 🎉 id",
        "x".repeat(ScopeParser.MAX_SCOPE_ID_LENGTH),
        "ä".repeat(ScopeParser.MAX_SCOPE_ID_LENGTH));
  }

  @ParameterizedTest
  @MethodSource("unusualIds")
  void unusualIdsRoundTrip(String scopeId) throws Exception {
    ScopeStore store = open();
    Scope scope = scope(scopeId, "main");
    Scope neighbour = scope(scopeId.substring(0, 1), "main");
    assertNull(await(store.put(scope)));
    await(store.put(neighbour));
    assertEquals(scope, await(store.get(scopeId)));
    assertEquals(byId(List.of(scope, neighbour)), byId(await(store.all())));
    assertEquals(scope, await(store.delete(scopeId)));
    assertNull(await(store.get(scopeId)));
    assertEquals(List.of(neighbour), await(store.all()));
  }

  @Test
  void idsThatArePrefixesOfOthersStayDistinct() throws Exception {
    ScopeStore store = open();
    List<Scope> scopes =
        Stream.of("a", "a:", "a:b", "ab", "a b").map(id -> scope(id, "main")).toList();
    for (Scope scope : scopes) {
      await(store.put(scope));
    }
    assertEquals(byId(scopes), byId(await(store.all())));
    assertEquals(scope("a:", "main"), await(store.delete("a:")));
    assertEquals(4, await(store.all()).size());
    assertEquals(scope("a:b", "main"), await(store.get("a:b")));
  }

  @Test
  void allListsAThousandScopesPutAtOnce() throws Exception {
    ScopeStore store = open();
    List<Scope> scopes =
        IntStream.range(0, 1000).mapToObj(i -> scope("tenant-" + i, "main")).toList();
    List<Future<Scope>> puts = scopes.stream().map(store::put).toList();
    await(Future.all(puts));
    puts.forEach(put -> assertNull(put.result()));
    List<Scope> all = await(store.all());
    assertEquals(1000, all.size());
    assertEquals(byId(scopes), byId(all));
  }

  @Test
  void concurrentPutsOfOneScopeEachReplaceExactlyOneVersion() throws Exception {
    ScopeStore store = open();
    List<Scope> versions =
        IntStream.range(0, 30).mapToObj(i -> scope("tenant-a", "branch-" + i)).toList();
    List<Future<Scope>> puts = versions.stream().map(store::put).toList();
    await(Future.all(puts));
    // Every answer is a distinct earlier version, exactly one put found nothing, and the
    // version left in the store is the one no put replaced: no read-then-write race.
    List<Scope> replaced = puts.stream().map(Future::result).toList();
    assertEquals(1, replaced.stream().filter(s -> s == null).count());
    Set<Scope> replacedVersions =
        replaced.stream().filter(s -> s != null).collect(Collectors.toSet());
    assertEquals(versions.size() - 1, replacedVersions.size());
    Scope last = await(store.get("tenant-a"));
    assertTrue(versions.contains(last));
    Set<Scope> everything = new HashSet<>(replacedVersions);
    everything.add(last);
    assertEquals(Set.copyOf(versions), everything);
  }

  @Test
  void scopesSurviveReopen() throws Exception {
    ScopeStore store = open();
    Scope a =
        withAuth(
            "tenant-a",
            new JsonObject()
                .put("auth_type", "userpass")
                .put("username", "bob")
                .put("password", "hunter2"));
    Scope b = scope("tenant b:ü", "main");
    Scope c = scope("tenant-c", "main");
    await(store.put(a));
    await(store.put(b));
    await(store.put(scope("tenant-c", "old")));
    await(store.put(c));
    await(store.put(scope("gone", "main")));
    await(store.delete("gone"));
    await(store.close());
    opened.remove(store);

    ScopeStore reopened = open();
    assertEquals(byId(List.of(a, b, c)), byId(await(reopened.all())));
    assertEquals(a.toStoredJson(), await(reopened.get("tenant-a")).toStoredJson());
    assertNull(await(reopened.get("gone")));
    assertEquals(c, await(reopened.put(scope("tenant-c", "new"))));
  }

  @Test
  void answersOnTheCallersContext() throws Exception {
    ScopeStore store = open();
    Context context = vertx.getOrCreateContext();
    Promise<List<Context>> seen = Promise.promise();
    context.runOnContext(
        go -> {
          List<Context> contexts = new ArrayList<>();
          store
              .put(scope("tenant-a", "main"))
              .andThen(x -> contexts.add(Vertx.currentContext()))
              .compose(x -> store.get("tenant-a"))
              .andThen(x -> contexts.add(Vertx.currentContext()))
              .compose(x -> store.all())
              .andThen(x -> contexts.add(Vertx.currentContext()))
              .compose(x -> store.delete("tenant-a"))
              .andThen(x -> contexts.add(Vertx.currentContext()))
              .compose(x -> store.ping())
              .andThen(x -> contexts.add(Vertx.currentContext()))
              .map(x -> contexts)
              .onComplete(seen);
        });
    List<Context> contexts = await(seen.future());
    assertEquals(5, contexts.size());
    contexts.forEach(c -> assertSame(context, c));
  }

  // --- fixtures --------------------------------------------------------------------------

  public static Scope scope(String scopeId, String branch) {
    return STORED.parse(
        new JsonObject()
            .put("scope_id", scopeId)
            .put(
                "policy",
                new JsonObject()
                    .put("source_type", "git")
                    .put("url", "https://git.example.com/org/policies.git")
                    .put("branch", branch)
                    .put("auth", new JsonObject().put("auth_type", "none"))));
  }

  public static Scope withAuth(String scopeId, JsonObject auth) {
    JsonObject doc = scope(scopeId, "main").toStoredJson();
    doc.getJsonObject("policy").put("auth", auth);
    return STORED.parse(doc);
  }

  public static java.util.Map<String, Scope> byId(List<Scope> scopes) {
    return scopes.stream().collect(Collectors.toMap(Scope::scopeId, s -> s));
  }

  public static <T> T await(Future<T> future) throws Exception {
    return future.await(60, TimeUnit.SECONDS);
  }

  /** The failure of a future that must fail (an AssertionError when it succeeds). */
  public static Throwable failureOf(Future<?> future) throws Exception {
    Throwable failure =
        future
            .transform(ar -> Future.succeededFuture(ar.failed() ? ar.cause() : null))
            .await(60, TimeUnit.SECONDS);
    assertNotNull(failure, "expected a failure");
    return failure;
  }
}
