package dev.scopesync.store;

import static dev.scopesync.store.ScopeStoreConformanceTest.STORED;
import static dev.scopesync.store.ScopeStoreConformanceTest.await;
import static dev.scopesync.store.ScopeStoreConformanceTest.byId;
import static dev.scopesync.store.ScopeStoreConformanceTest.failureOf;
import static dev.scopesync.store.ScopeStoreConformanceTest.scope;
import static dev.scopesync.store.ScopeStoreConformanceTest.withAuth;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.scopesync.model.GitAuth;
import dev.scopesync.model.Scope;
import dev.scopesync.testing.RedisServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** What only the Redis store does: OPAL's keys, foreign keys, outages, hung servers, passwords. */
class RedisScopeStoreTest {
  /**
   * A scope exactly as OPAL's pydantic {@code Scope.json()} writes it: its field order and spacing.
   */
  private static final String OPAL_WRITTEN =
      "{\"scope_id\": \"opal-tenant\", \"policy\": {\"source_type\": \"git\", "
          + "\"url\": \"https://github.com/permitio/opal-example-policy-repo\", "
          + "\"auth\": {\"auth_type\": \"github_token\", \"token\": \"ghp_OPALSECRET\"}, "
          + "\"directories\": [\".\"], \"extensions\": [\".rego\", \".json\"], \"bundle_ignore\": null, "
          + "\"manifest\": \".manifest\", \"poll_updates\": false, \"branch\": \"master\"}, "
          + "\"data\": {\"entries\": [{\"url\": \"https://api.example.com/data\", \"data\": null, \"config\": null, "
          + "\"topics\": [\"policy_data\"], \"dst_path\": \"\", \"save_method\": \"PUT\", "
          + "\"periodic_update_interval\": null}]}}";

  private static final List<String> OPAL_POLICY_FIELDS =
      List.of(
          "source_type",
          "url",
          "auth",
          "directories",
          "extensions",
          "bundle_ignore",
          "manifest",
          "poll_updates",
          "branch");

  /** Time every failing command must fail within while Redis refuses connections. */
  private static final Duration FAIL_FAST = Duration.ofSeconds(3);

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private Vertx vertx;
  private RedisServer redis;
  private Redis client;
  private ListAppender<ILoggingEvent> logs;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    redis = RedisServer.launch();
    toClose.add(redis);
    client = Redis.createClient(vertx, redis.url());
    logs = new ListAppender<>();
    logs.start();
    storeLogger().addAppender(logs);
  }

  @AfterEach
  void closeEverything() throws Exception {
    storeLogger().detachAppender(logs);
    try {
      client.close().await(30, TimeUnit.SECONDS);
      vertx.close().await(30, TimeUnit.SECONDS);
    } finally {
      for (AutoCloseable closeable : toClose) {
        closeable.close();
      }
    }
  }

  @Test
  void aScopeOpalWroteIsListedAndServed() throws Exception {
    raw("SET", "permit.io/Scope:opal-tenant", OPAL_WRITTEN);
    ScopeStore store = open(redis.url());

    Scope expected = STORED.parse(new JsonObject(OPAL_WRITTEN));
    assertEquals(expected, await(store.get("opal-tenant")));
    assertEquals(List.of(expected), await(store.all()));
    GitAuth.GithubToken auth =
        (GitAuth.GithubToken) await(store.get("opal-tenant")).policy().auth();
    assertEquals("ghp_OPALSECRET", auth.token());
    assertEquals("master", expected.policy().branch());
    assertNull(expected.policy().bundleIgnore());
    assertEquals(new JsonObject(OPAL_WRITTEN).getJsonObject("data"), expected.data());
    assertEquals(expected, await(store.delete("opal-tenant")));
    assertEquals(0L, raw("EXISTS", "permit.io/Scope:opal-tenant").toLong());
  }

  @Test
  void aStoredScopeIsTheJsonOpalReads() throws Exception {
    ScopeStore store = open(redis.url());
    Scope scope =
        withAuth(
            "tenant ü:1",
            new JsonObject()
                .put("auth_type", "userpass")
                .put("username", "bob")
                .put("password", "hunter2"));
    await(store.put(scope));

    JsonObject stored = new JsonObject(raw("GET", "permit.io/Scope:tenant ü:1").toString());
    assertEquals(List.of("scope_id", "policy", "data"), List.copyOf(stored.fieldNames()));
    assertEquals(OPAL_POLICY_FIELDS, List.copyOf(stored.getJsonObject("policy").fieldNames()));
    assertTrue(stored.getJsonObject("policy").containsKey("bundle_ignore"));
    assertEquals(
        "hunter2", stored.getJsonObject("policy").getJsonObject("auth").getString("password"));
    assertEquals(scope.toStoredJson(), stored);
    assertEquals(List.of("permit.io/Scope:tenant ü:1"), keys());
  }

  @Test
  void keysOutsideTheScopePrefixAreIgnoredAndLeftAlone() throws Exception {
    raw("SET", "other:thing", OPAL_WRITTEN);
    raw("SET", "permit.io/Other:x", OPAL_WRITTEN);
    raw("SET", "permit.io/Scopes:x", OPAL_WRITTEN);
    raw("SET", "permit.io/Scope", OPAL_WRITTEN);
    raw("HSET", "permit.io/Scope:a-hash", "field", "value");
    ScopeStore store = open(redis.url());
    Scope mine = scope("mine", "main");
    await(store.put(mine));

    assertEquals(List.of(mine), await(store.all()));
    assertNull(await(store.get("a-hash")));
    assertNull(await(store.get("x")));
    assertEquals(mine, await(store.delete("mine")));
    assertEquals(
        List.of(
            "other:thing",
            "permit.io/Other:x",
            "permit.io/Scope",
            "permit.io/Scope:a-hash",
            "permit.io/Scopes:x"),
        keys());
    assertEquals(OPAL_WRITTEN, raw("GET", "other:thing").toString());
  }

  @Test
  void unreadableValuesAreSkippedAndLoggedByTheirIdOnly() throws Exception {
    raw("SET", "permit.io/Scope:not-json", "{\"scope_id\": \"not-json\", \"token\": \"SECRET-1\"");
    JsonObject badAuth = new JsonObject(OPAL_WRITTEN).put("scope_id", "bad-auth");
    badAuth.getJsonObject("policy").put("auth", new JsonObject().put("auth_type", "SECRET-2"));
    raw("SET", "permit.io/Scope:bad-auth", badAuth.encode());
    JsonObject elsewhere = new JsonObject(OPAL_WRITTEN).put("scope_id", "someone-else");
    elsewhere.getJsonObject("policy").getJsonObject("auth").put("token", "SECRET-3");
    raw("SET", "permit.io/Scope:misfiled", elsewhere.encode());
    raw("SET", "permit.io/Scope:array", "[\"SECRET-4\"]");
    ScopeStore store = open(redis.url());
    Scope good = scope("good", "main");
    await(store.put(good));

    assertEquals(List.of(good), await(store.all()));
    assertNull(await(store.get("not-json")));
    assertNull(await(store.get("misfiled")));
    // A put over an unreadable value replaces it and answers that nothing readable was there.
    assertNull(await(store.put(scope("bad-auth", "main"))));
    assertNull(await(store.delete("array")));

    String logged = logText();
    for (String id : List.of("not-json", "bad-auth", "misfiled", "array")) {
      assertTrue(logged.contains("scope_id=" + id), logged);
    }
    assertTrue(logged.contains("field policy.auth.auth_type is invalid"), logged);
    assertFalse(logged.contains("SECRET"), logged);
  }

  @Test
  void whileRedisIsDownEveryOperationFailsFastAndTheSameStoreRecovers() throws Exception {
    ScopeStore store = open(redis.url());
    Scope before = scope("before", "main");
    await(store.put(before));

    redis.stop();
    List<Supplier<Future<?>>> operations =
        List.of(
            () -> store.get("before"),
            store::all,
            () -> store.put(scope("during", "main")),
            () -> store.delete("before"),
            store::ping);
    for (Supplier<Future<?>> operation : operations) {
      assertUnreachable(failsWithin(FAIL_FAST, operation));
    }
    assertTrue(logText().contains("Redis at " + redis.url() + " is unreachable"), logText());

    redis.start();
    await(store.ping());
    assertEquals(before, await(store.get("before")));
    assertNull(await(store.put(scope("after", "main"))));
    assertEquals(byId(List.of(before, scope("after", "main"))), byId(await(store.all())));
    assertEquals(before, await(store.delete("before")));
    assertEquals(
        1, logs(l -> l.contains("is unreachable")), "one line when it goes, not one per command");
    assertEquals(1, logs(l -> l.contains("answers again")), "one line when it returns");
  }

  @Test
  void aRedisThatNeverAnswersFailsEachCommandAtItsDeadline() throws Exception {
    Scope scope = scope("tenant-a", "main");
    raw("SET", "permit.io/Scope:tenant-a", scope.toStoredJson().encode());
    // Nothing is asked of the store before the pause: a cold client on a busy machine may
    // well need more than this short deadline for its first connection.
    ScopeStore store =
        await(
            RedisScopeStore.open(
                vertx, redis.url(), STORED, Duration.ofMillis(500), Clock.systemUTC()));
    toClose.add(() -> store.close().await(30, TimeUnit.SECONDS));

    redis.pause();
    try {
      for (Supplier<Future<?>> operation :
          List.<Supplier<Future<?>>>of(
              () -> store.get("tenant-a"),
              store::all,
              () -> store.put(scope("tenant-b", "main")),
              () -> store.delete("tenant-b"),
              store::ping)) {
        Throwable failure = failsWithin(Duration.ofSeconds(5), operation);
        assertInstanceOf(StoreUnavailableException.class, failure);
        assertEquals(
            "Redis at " + redis.url() + " is unreachable: no answer within 500 ms",
            failure.getMessage());
      }
    } finally {
      redis.resume();
    }
    // The commands left waiting are answered now (a write that timed out may still have
    // been applied, as with any store); the same store serves again.
    assertEquals(scope, eventually(() -> store.get("tenant-a")));
  }

  @Test
  void openingSucceedsWhileRedisIsDownAndTheStoreWorksOnceItIsUp() throws Exception {
    redis.stop();
    ScopeStore store = open(redis.url());
    assertUnreachable(failsWithin(FAIL_FAST, store::ping));
    assertUnreachable(failsWithin(FAIL_FAST, store::all));

    redis.start();
    await(store.ping());
    assertNull(await(store.put(scope("tenant-a", "main"))));
    assertEquals(List.of(scope("tenant-a", "main")), await(store.all()));
  }

  @Test
  void thePasswordIsNeverShown() throws Exception {
    RedisServer guarded = RedisServer.launch("--requirepass", "s3cret-pw");
    toClose.add(guarded);
    String host = "127.0.0.1:" + guarded.port();
    ScopeStore store = open("redis://:s3cret-pw@" + host);
    await(store.put(scope("tenant-a", "main")));

    ScopeStore wrong = open("redis://default:wrong-pw@" + host + "/0?password=wrong-pw");
    Throwable refused = failsWithin(FAIL_FAST, wrong::ping);
    assertInstanceOf(StoreUnavailableException.class, refused);
    assertTrue(
        refused
            .getMessage()
            .startsWith(
                "Redis at redis://default@" + host + "/0 refused the connection: WRONGPASS"),
        refused.getMessage());

    guarded.stop();
    Throwable down = failsWithin(FAIL_FAST, () -> store.get("tenant-a"));
    assertInstanceOf(StoreUnavailableException.class, down);
    assertTrue(
        down.getMessage().startsWith("Redis at redis://" + host + " is unreachable: "),
        down.getMessage());
    for (String text : List.of(refused.getMessage(), down.getMessage(), logText())) {
      assertFalse(text.contains("s3cret-pw") || text.contains("wrong-pw"), text);
    }
  }

  @Test
  void aRefusedHandshakeBacksOffInsteadOfConnectingForEveryCommand() throws Exception {
    RedisServer guarded = RedisServer.launch("--requirepass", "new-pw");
    toClose.add(guarded);
    Redis admin = Redis.createClient(vertx, "redis://:new-pw@127.0.0.1:" + guarded.port());
    toClose.add(() -> admin.close().await(30, TimeUnit.SECONDS));
    ManualClock clock = new ManualClock();
    ScopeStore store =
        await(
            RedisScopeStore.open(
                vertx,
                "redis://:old-pw@127.0.0.1:" + guarded.port(),
                STORED,
                Duration.ofSeconds(5),
                clock));
    toClose.add(() -> store.close().await(30, TimeUnit.SECONDS));

    // open() was refused once; within the back-off nothing connects, everything fails alike.
    for (int i = 0; i < 20; i++) {
      Throwable refused =
          failsWithin(FAIL_FAST, i % 2 == 0 ? store::ping : () -> store.put(scope("a", "main")));
      assertInstanceOf(StoreUnavailableException.class, refused);
      assertTrue(
          refused
              .getMessage()
              .startsWith(
                  "Redis at redis://127.0.0.1:"
                      + guarded.port()
                      + " refused the connection: WRONGPASS"),
          refused.getMessage());
    }
    assertEquals(
        1, logs(l -> l.contains("refused the connection") && l.contains("next attempt in 1 s")));
    int clients = clientCount(admin);
    assertTrue(
        clients <= 2, clients + " connections: the admin's and at most the one refused handshake");

    // A person fixes the password on the Redis side; after the back-off the same store works.
    admin
        .send(Request.cmd(Command.CONFIG).arg("SET").arg("requirepass").arg("old-pw"))
        .await(30, TimeUnit.SECONDS);
    assertInstanceOf(StoreUnavailableException.class, failureOf(store.ping()), "still backing off");
    clock.advance(Duration.ofSeconds(1));
    await(store.ping());
    assertNull(await(store.put(scope("a", "main"))));
    assertEquals(scope("a", "main"), await(store.get("a")));
  }

  @Test
  void urlsAreShownWithoutTheirPassword() {
    assertEquals(
        "redis://127.0.0.1:6379", RedisScopeStore.withoutPassword("redis://127.0.0.1:6379"));
    assertEquals(
        "redis://127.0.0.1:6379", RedisScopeStore.withoutPassword("redis://:pw@127.0.0.1:6379"));
    assertEquals(
        "rediss://bob@redis.example.com:6380/2",
        RedisScopeStore.withoutPassword(
            "rediss://bob:pw@redis.example.com:6380/2?password=pw2&db=3"));
    assertEquals("redis://[::1]:6379", RedisScopeStore.withoutPassword("redis://[::1]:6379"));
    assertEquals(
        "unix:///run/redis.sock",
        RedisScopeStore.withoutPassword("unix:///run/redis.sock?password=pw"));
  }

  @Test
  void aUrlThatIsNotARedisUrlIsRefusedAtOpen() throws Exception {
    for (String url :
        List.of("http://127.0.0.1:6379", "127.0.0.1:6379", "redis://", "redis://:p w@host")) {
      Throwable failure = failureOf(RedisScopeStore.open(vertx, url, STORED));
      assertInstanceOf(IllegalArgumentException.class, failure, url);
      assertTrue(failure.getMessage().startsWith("store.redisUrl "), failure.getMessage());
      assertFalse(failure.getMessage().contains("p w"), failure.getMessage());
    }
  }

  // --- helpers ---------------------------------------------------------------------------

  /** A clock that moves only when told. */
  private static final class ManualClock extends Clock {
    private final AtomicLong millis = new AtomicLong(1_000_000);

    void advance(Duration by) {
      millis.addAndGet(by.toMillis());
    }

    @Override
    public long millis() {
      return millis.get();
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }

  private static int clientCount(Redis admin) throws Exception {
    return (int)
        admin
            .send(Request.cmd(Command.CLIENT).arg("LIST"))
            .await(30, TimeUnit.SECONDS)
            .toString()
            .lines()
            .filter(line -> !line.isBlank())
            .count();
  }

  private ScopeStore open(String url) throws Exception {
    ScopeStore store = await(RedisScopeStore.open(vertx, url, STORED));
    toClose.add(() -> store.close().await(30, TimeUnit.SECONDS));
    return store;
  }

  /** A command sent with a plain client, as another program (OPAL) would. */
  private Response raw(String command, String... args) throws Exception {
    Request request = Request.cmd(Command.create(command));
    for (String arg : args) {
      request.arg(arg);
    }
    return client.send(request).await(30, TimeUnit.SECONDS);
  }

  /** Every key of the (small) test database. */
  private List<String> keys() throws Exception {
    Response step = raw("SCAN", "0", "COUNT", "10000");
    assertEquals("0", step.get(0).toString(), "a small database is scanned in one step");
    List<String> keys = new ArrayList<>();
    step.get(1).forEach(key -> keys.add(key.toString()));
    keys.sort(null);
    return keys;
  }

  /** The first value the operation succeeds with, asked again until it does (10 s at most). */
  private static <T> T eventually(Supplier<Future<T>> operation) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      Future<T> attempt = operation.get();
      attempt.transform(ar -> Future.succeededFuture()).await(30, TimeUnit.SECONDS);
      if (attempt.succeeded() || System.nanoTime() > deadline) {
        return await(attempt);
      }
    }
  }

  private static Throwable failsWithin(Duration bound, Supplier<Future<?>> operation)
      throws Exception {
    long started = System.nanoTime();
    Throwable failure = failureOf(operation.get());
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    assertTrue(took.compareTo(bound) < 0, "failed after " + took + ", expected within " + bound);
    return failure;
  }

  private void assertUnreachable(Throwable failure) {
    assertInstanceOf(StoreUnavailableException.class, failure);
    assertTrue(
        failure.getMessage().startsWith("Redis at " + redis.url() + " is unreachable: "),
        failure.getMessage());
  }

  private static Logger storeLogger() {
    return (Logger) LoggerFactory.getLogger(RedisScopeStore.class);
  }

  private String logText() {
    synchronized (logs) {
      return logs.list.stream()
          .map(ILoggingEvent::getFormattedMessage)
          .collect(Collectors.joining("\n"));
    }
  }

  private long logs(java.util.function.Predicate<String> matching) {
    return logText().lines().filter(matching).count();
  }
}
