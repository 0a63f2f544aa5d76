package dev.scopesync;

import static dev.scopesync.testing.EventLog.field;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.bus.Addresses;
import dev.scopesync.testing.GitDaemon;
import dev.scopesync.testing.GitRemote;
import dev.scopesync.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cached bundles answered at the edge from the node's served bundles (DESIGN §18), over real HTTP
 * from clones of a git daemon remote: no event-bus message for a cached answer, the same bytes and
 * ETags as the fetcher's, and correct under racing builds, commits and deletes.
 */
class CachedBundleServingTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  private GitDaemon daemon;
  private GitRemote remote;
  private TestNode node;
  private final AtomicInteger bundleMessages = new AtomicInteger();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @BeforeEach
  void start() throws Exception {
    Path remotes = Files.createDirectories(dir.resolve("remotes"));
    remote = GitRemote.create(remotes, "policies");
    remote.commit(
        "initial",
        Map.of("rbac.rego", "package app.rbac\nallow = true\n", "data.json", "{\"a\": 1}"));
    daemon = GitDaemon.start(remotes);
    node = TestNode.start(dir.resolve("node"));
    node.vertx
        .eventBus()
        .addOutboundInterceptor(
            delivery -> {
              if (delivery.message().address().equals(Addresses.FETCHER_BUNDLE)) {
                bundleMessages.incrementAndGet();
              }
              delivery.next();
            });
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
    remote.close();
    daemon.close();
  }

  private HttpResponse<byte[]> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.server.httpPort() + path))
            .timeout(WAIT);
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String etag(HttpResponse<?> response) {
    return response.headers().firstValue("etag").orElseThrow();
  }

  @Test
  void aCachedAnswerOfEveryKindIsSentWithoutAnEventBusMessage() throws Exception {
    node.putAndAwaitSync(TestNode.scope("tenant-a", daemon.url("policies")));
    String first =
        new JsonObject(new String(get("/scopes/tenant-a/policy").body())).getString("hash");
    String second =
        remote.commit("change", Map.of("rbac.rego", "package app.rbac\nallow = false\n"));
    refresh("tenant-a");
    bundleMessages.set(0);

    // The first of each kind goes to the fetcher, which builds it and publishes it to the edge.
    HttpResponse<byte[]> json = get("/scopes/tenant-a/policy");
    HttpResponse<byte[]> tar = get("/scopes/tenant-a/bundle.tar.gz");
    HttpResponse<byte[]> diff = get("/scopes/tenant-a/policy?base_hash=" + first);
    assertEquals(3, bundleMessages.get());
    assertEquals(second, new JsonObject(new String(json.body())).getString("hash"));
    assertEquals(3, node.stats().getInteger("served_bundles"));

    for (int i = 0; i < 20; i++) {
      HttpResponse<byte[]> again = get("/scopes/tenant-a/policy");
      assertEquals(200, again.statusCode());
      assertArrayEquals(json.body(), again.body());
      assertEquals(etag(json), etag(again));
      assertEquals("application/json", again.headers().firstValue("content-type").orElseThrow());
      assertEquals("no-cache", again.headers().firstValue("cache-control").orElseThrow());
      assertArrayEquals(tar.body(), get("/scopes/tenant-a/bundle.tar.gz").body());
      assertArrayEquals(diff.body(), get("/scopes/tenant-a/policy?base_hash=" + first).body());
      assertEquals(304, get("/scopes/tenant-a/policy", "If-None-Match", etag(json)).statusCode());
      assertEquals(
          304,
          get("/scopes/tenant-a/bundle.tar.gz", "If-None-Match", "W/" + etag(tar)).statusCode());
      assertEquals(
          304,
          get("/scopes/tenant-a/policy", "If-None-Match", "\"x\", " + etag(json)).statusCode());
      assertEquals(200, get("/scopes/tenant-a/policy", "If-None-Match", "\"other\"").statusCode());
    }
    assertEquals(3, bundleMessages.get(), "cached answers went over the event bus");
    // A narrowed bundle is not in the index: it is asked for every time.
    get("/scopes/tenant-a/policy?path=.");
    get("/scopes/tenant-a/policy?path=.");
    assertEquals(5, bundleMessages.get());
  }

  @Test
  void anOpaLongPollOnACachedBundleIsHeldAndAnsweredWithTheNewCommit() throws Exception {
    node.putAndAwaitSync(TestNode.scope("tenant-a", daemon.url("policies")));
    String etag = etag(get("/scopes/tenant-a/bundle.tar.gz"));
    var held =
        http.sendAsync(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:"
                            + node.server.httpPort()
                            + "/scopes/tenant-a/bundle.tar.gz"))
                .header("If-None-Match", etag)
                .header("Prefer", "wait=20")
                .timeout(WAIT)
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    dev.scopesync.testing.Await.until(() -> node.server.heldLongPolls() == 1, WAIT);
    assertEquals(1, bundleMessages.get(), "the held poll was decided at the edge");
    remote.commit("change", Map.of("rbac.rego", "package app.rbac\nallow = false\n"));
    refresh("tenant-a");
    HttpResponse<byte[]> answered = held.get(30, TimeUnit.SECONDS);
    assertEquals(200, answered.statusCode());
    assertTrue(!etag.equals(etag(answered)), "the new commit's bundle");
    assertEquals(
        "application/vnd.openpolicyagent.bundles",
        answered.headers().firstValue("content-type").orElseThrow());
  }

  @Test
  void aDeletedScopesBundleIsNeverServedAndItsAnswersAreGone() throws Exception {
    node.putAndAwaitSync(TestNode.scope("tenant-a", daemon.url("policies")));
    get("/scopes/tenant-a/policy");
    get("/scopes/tenant-a/bundle.tar.gz");
    assertEquals(2, node.stats().getInteger("served_bundles"));
    assertEquals(204, node.delete("tenant-a").statusCode());
    assertEquals(404, get("/scopes/tenant-a/policy").statusCode());
    assertEquals(404, get("/scopes/tenant-a/bundle.tar.gz").statusCode());
    node.deleted.await(field("scope_id", "tenant-a"), 1, WAIT);
    JsonObject stats = node.stats();
    for (String key : List.of("served_bundles", "cached_bundles", "repos", "clone_dirs")) {
      assertEquals(0, stats.getInteger(key), key + " in " + stats.encode());
    }
  }

  @Test
  void aChangedFilterIsServedFromTheNextRequestOn() throws Exception {
    remote.commit("more", Map.of("other/x.rego", "package other.x\n"));
    JsonObject scope = TestNode.scope("tenant-a", daemon.url("policies"));
    node.putAndAwaitSync(scope);
    String all = new String(get("/scopes/tenant-a/policy").body());
    assertTrue(all.contains("other/x.rego"), all);
    scope
        .getJsonObject("policy")
        .put("directories", new io.vertx.core.json.JsonArray().add("other"));
    assertEquals(201, node.put(scope).statusCode());
    String narrowed = new String(get("/scopes/tenant-a/policy").body());
    assertTrue(!narrowed.contains("rbac.rego"), narrowed);
  }

  /**
   * Readers race commits, refreshes, deletes and re-creations. A read that began after another
   * ended never answers an older commit than that one did, nor one older than a sync already done;
   * and a read between a delete's answer and the next put's start is always 404.
   */
  @Test
  void racingReadsNeverSeeADeletedScopeOrAnOlderCommitThanOneAlreadyServed() throws Exception {
    JsonObject scope = TestNode.scope("tenant-a", daemon.url("policies"));
    node.putAndAwaitSync(scope);
    Map<String, Integer> order = new HashMap<>();
    order.put(
        new JsonObject(new String(get("/scopes/tenant-a/policy").body())).getString("hash"), 0);
    record Read(long start, long end, int status, String hash) {}
    record Gap(long deleted, long putAgain) {}
    ConcurrentLinkedQueue<Read> reads = new ConcurrentLinkedQueue<>();
    List<Gap> gaps = new ArrayList<>();
    List<long[]> synced = new ArrayList<>(); // {when the sync of a round was done, the round}
    AtomicBoolean running = new AtomicBoolean(true);
    ExecutorService readers = Executors.newFixedThreadPool(4);
    List<Future<?>> running4 = new ArrayList<>();
    for (int r = 0; r < 4; r++) {
      String route =
          r % 2 == 0 ? "/scopes/tenant-a/policy" : "/scopes/tenant-a/policy?base_hash=" + "0000";
      running4.add(
          readers.submit(
              () -> {
                while (running.get()) {
                  long start = System.nanoTime();
                  HttpResponse<byte[]> response = get(route);
                  long end = System.nanoTime();
                  String hash =
                      response.statusCode() == 200
                          ? new JsonObject(new String(response.body())).getString("hash")
                          : null;
                  reads.add(new Read(start, end, response.statusCode(), hash));
                }
                return null;
              }));
    }
    try {
      for (int round = 1; round <= 6; round++) {
        String commit =
            remote.commit(
                "round " + round, Map.of("rbac.rego", "package app.rbac\nround = " + round + "\n"));
        synchronized (order) {
          order.put(commit, round);
        }
        refresh("tenant-a");
        synced.add(new long[] {System.nanoTime(), round});
        if (round % 2 == 0) {
          assertEquals(204, node.delete("tenant-a").statusCode());
          long deleted = System.nanoTime();
          node.deleted.await(field("scope_id", "tenant-a"), round / 2, WAIT);
          long putAgain = System.nanoTime();
          node.putAndAwaitSync(scope);
          gaps.add(new Gap(deleted, putAgain));
        }
      }
    } finally {
      running.set(false);
      for (Future<?> reader : running4) {
        reader.get(60, TimeUnit.SECONDS);
      }
      readers.shutdown();
    }
    List<Read> all = new ArrayList<>(reads);
    assertTrue(all.size() > 50, "too few reads to mean anything: " + all.size());
    for (Gap gap : gaps) {
      for (Read read : all) {
        if (read.start() > gap.deleted() && read.end() < gap.putAgain()) {
          assertEquals(404, read.status(), "a read between a delete and the next put");
        }
      }
    }
    for (long[] sync : synced) {
      for (Read read : all) {
        if (read.start() > sync[0] && read.status() == 200) {
          assertTrue(
              order.get(read.hash()) >= sync[1],
              "a read after round " + sync[1] + " was synced answered an older one");
        }
      }
    }
    // Sorted by end: the newest commit any read that ended before t answered, against every later
    // read.
    List<Read> served = new ArrayList<>(all.stream().filter(r -> r.status() == 200).toList());
    served.sort(Comparator.comparingLong(Read::end));
    int newestEnded = -1;
    int next = 0;
    List<Read> byStart = new ArrayList<>(served);
    byStart.sort(Comparator.comparingLong(Read::start));
    for (Read read : byStart) {
      while (next < served.size() && served.get(next).end() < read.start()) {
        newestEnded = Math.max(newestEnded, order.get(served.get(next).hash()));
        next++;
      }
      int mine = order.get(read.hash());
      assertTrue(
          mine >= newestEnded,
          "a read answered round " + mine + " after one had answered round " + newestEnded);
    }
    assertEquals(
        6,
        served.stream().mapToInt(r -> order.get(r.hash())).max().orElse(-1),
        "the last round was read");
  }

  @Test
  void aPushToAServedScopeReadsTheScopeOnceForItsSyncAndNotAgainForTheBundle() throws Exception {
    AtomicInteger scopeReads = new AtomicInteger();
    node.vertx
        .eventBus()
        .addOutboundInterceptor(
            delivery -> {
              if (delivery.message().address().equals(Addresses.FETCHER_SCOPE)) {
                scopeReads.incrementAndGet();
              }
              delivery.next();
            });
    node.putAndAwaitSync(TestNode.scope("tenant-a", daemon.url("policies")));
    get("/scopes/tenant-a/policy"); // opens the scope's slot: asked once, for serving
    String second =
        remote.commit("change", Map.of("rbac.rego", "package app.rbac\nallow = false\n"));
    scopeReads.set(0);
    bundleMessages.set(0);

    refresh("tenant-a");
    HttpResponse<byte[]> after = get("/scopes/tenant-a/policy");
    assertEquals(second, new JsonObject(new String(after.body())).getString("hash"));
    assertEquals(1, bundleMessages.get(), "the moved branch's bundle is built by the fetcher");
    assertEquals(1, scopeReads.get(), "one read, the sync's; the bundle used the open slot");

    // A change of the scope closes its slot: the next bundle asks again.
    JsonObject changed = TestNode.scope("tenant-a", daemon.url("policies"));
    changed
        .getJsonObject("policy")
        .put("extensions", new io.vertx.core.json.JsonArray().add(".rego"));
    node.putAndAwaitSync(changed);
    scopeReads.set(0);
    get("/scopes/tenant-a/policy");
    assertEquals(1, scopeReads.get(), "a changed scope is read again");
  }

  private void refresh(String scopeId) throws Exception {
    int before = node.synced.matching(field("scope_id", scopeId)).size();
    node.request("POST", "/scopes/" + scopeId + "/refresh", null);
    node.synced.await(field("scope_id", scopeId), before + 1, WAIT);
  }
}
