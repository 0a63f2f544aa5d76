package dev.scopesync.testing;

import dev.scopesync.Server;
import dev.scopesync.bus.Addresses;
import dev.scopesync.config.ConfigKeys;
import dev.scopesync.config.ServerConfig;
import dev.scopesync.fetcher.FetcherVerticle;
import dev.scopesync.metrics.ServerMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

/**
 * One scopesync node for a test: its own Vert.x, a store and clone root under a temp directory,
 * HTTP on a free loopback port, internal stats on. Talks to it over real HTTP.
 */
public final class TestNode implements AutoCloseable {
  public final Vertx vertx;
  public final Server server;
  public final FetcherVerticle fetcher;
  public final ServerConfig config;
  public final EventLog synced;
  public final EventLog deleted;
  public final EventLog policyUpdated;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private TestNode(
      Vertx vertx, Server server, FetcherVerticle fetcher, ServerConfig config, EventLog[] logs) {
    this.vertx = vertx;
    this.server = server;
    this.fetcher = fetcher;
    this.config = config;
    this.synced = logs[0];
    this.deleted = logs[1];
    this.policyUpdated = logs[2];
  }

  /** The config every test node starts from. */
  public static JsonObject baseConfig(Path dir) {
    JsonObject json = ConfigKeys.defaults();
    json.getJsonObject("http").put("host", "127.0.0.1").put("port", 0);
    json.getJsonObject("store").put("dir", dir.resolve("scopes").toString());
    json.getJsonObject("git")
        .put("baseDir", dir.resolve("data").toString())
        .put(
            "allowedSchemes",
            new JsonArray().add("git").add("file").add("http").add("https").add("ssh"))
        .put("timeoutSeconds", 20);
    json.getJsonObject("debug").put("internalStats", true);
    return json;
  }

  public static TestNode start(Path dir) throws Exception {
    return start(dir, json -> json);
  }

  public static TestNode start(Path dir, UnaryOperator<JsonObject> tweak) throws Exception {
    return start(dir, tweak, FetcherVerticle::new);
  }

  public static TestNode start(
      Path dir,
      UnaryOperator<JsonObject> tweak,
      BiFunction<ServerConfig, ServerMetrics, FetcherVerticle> fetcher)
      throws Exception {
    return start(ServerConfig.from(tweak.apply(baseConfig(dir))), fetcher);
  }

  /**
   * A node from an OPAL deployment's environment, as {@code Main} reads it: {@code env}'s {@code
   * OPAL_*} variables under a config file holding only this test's addresses and directories.
   */
  public static TestNode startWithEnvironment(Path dir, Map<String, String> env) throws Exception {
    JsonObject local =
        new JsonObject()
            .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0))
            .put("store", new JsonObject().put("dir", dir.resolve("scopes").toString()))
            .put(
                "git",
                new JsonObject()
                    .put("baseDir", dir.resolve("data").toString())
                    .put(
                        "allowedSchemes",
                        new JsonArray().add("git").add("file").add("http").add("https").add("ssh"))
                    .put("timeoutSeconds", 20))
            .put("debug", new JsonObject().put("internalStats", true));
    Path file = dir.resolve("local-config.json");
    java.nio.file.Files.createDirectories(dir);
    java.nio.file.Files.writeString(file, local.encode());
    return start(dev.scopesync.config.ConfigLoader.load(file, env), FetcherVerticle::new);
  }

  public static TestNode start(
      ServerConfig config, BiFunction<ServerConfig, ServerMetrics, FetcherVerticle> fetcher)
      throws Exception {
    ServerMetrics metrics = ServerMetrics.create();
    Vertx vertx = Server.newVertx(config, metrics).await(60, TimeUnit.SECONDS);
    try {
      // Listening before the server starts: boot syncs finish while it is still starting.
      EventLog[] logs = {
        new EventLog(vertx, Addresses.FETCHER_SYNCED),
        new EventLog(vertx, Addresses.FETCHER_DELETED),
        new EventLog(vertx, Addresses.POLICY_UPDATED)
      };
      FetcherVerticle theFetcher = fetcher.apply(config, metrics);
      Server server = Server.start(vertx, config, metrics, theFetcher).await(60, TimeUnit.SECONDS);
      return new TestNode(vertx, server, theFetcher, config, logs);
    } catch (Exception e) {
      vertx.close().await(30, TimeUnit.SECONDS);
      throw e;
    }
  }

  public static JsonObject scope(String scopeId, String url) {
    return new JsonObject()
        .put("scope_id", scopeId)
        .put(
            "policy",
            new JsonObject()
                .put("source_type", "git")
                .put("url", url)
                .put("branch", "main")
                .put("auth", new JsonObject().put("auth_type", "none")));
  }

  public static JsonObject scope(String scopeId, String url, String branch) {
    JsonObject scope = scope(scopeId, url);
    scope.getJsonObject("policy").put("branch", branch);
    return scope;
  }

  public HttpResponse<String> request(String method, String path, String body)
      throws IOException, InterruptedException {
    return request(method, path, body, Map.of());
  }

  public HttpResponse<String> request(
      String method, String path, String body, Map<String, String> headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null && headers.keySet().stream().noneMatch("Content-Type"::equalsIgnoreCase)) {
      builder.header("Content-Type", "application/json");
    }
    headers.forEach(builder::header);
    return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
  }

  public HttpResponse<String> put(JsonObject scope) throws IOException, InterruptedException {
    return request("PUT", "/scopes", scope.encode());
  }

  public HttpResponse<String> delete(String scopeId) throws IOException, InterruptedException {
    return request("DELETE", "/scopes/" + scopeId, null);
  }

  public JsonObject stats() throws IOException, InterruptedException {
    HttpResponse<String> response = request("GET", "/internal/stats", null);
    if (response.statusCode() != 200) {
      throw new AssertionError("stats: " + response.statusCode() + " " + response.body());
    }
    return new JsonObject(response.body());
  }

  /**
   * The value of one series of {@code GET /metrics} ({@code name{labels}} as printed), 0 when
   * absent.
   */
  public double metric(String series) {
    try {
      for (String line : request("GET", "/metrics", null).body().split("\n")) {
        if (line.startsWith(series + " ")) {
          return Double.parseDouble(line.substring(series.length() + 1).trim());
        }
      }
      return 0;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Puts a scope and waits until its sync has finished (whatever the outcome). */
  public JsonObject putAndAwaitSync(JsonObject scope) throws IOException, InterruptedException {
    String scopeId = scope.getString("scope_id");
    int before = synced.matching(EventLog.field("scope_id", scopeId)).size();
    HttpResponse<String> response = put(scope);
    if (response.statusCode() != 201) {
      throw new AssertionError(
          "PUT " + scopeId + ": " + response.statusCode() + " " + response.body());
    }
    return synced
        .await(EventLog.field("scope_id", scopeId), before + 1, Duration.ofSeconds(60))
        .get(before);
  }

  public Path gitSources() {
    return config.gitSourcesDir();
  }

  /**
   * Crashes the node as far as the cluster can tell (SHARDING.md §4.2): its Hazelcast member
   * terminates without leaving, then its Vert.x closes, dropping its event-bus sockets. Nothing is
   * handed over.
   */
  public void crash() throws Exception {
    ((io.vertx.spi.cluster.hazelcast.HazelcastClusterManager)
            ((io.vertx.core.internal.VertxInternal) vertx).clusterManager())
        .getHazelcastInstance()
        .getLifecycleService()
        .terminate();
    synced.close();
    deleted.close();
    policyUpdated.close();
    try {
      vertx.close().await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      // A crashed member's close may fail: the cluster is already gone from under it.
    }
  }

  @Override
  public void close() throws Exception {
    synced.close();
    deleted.close();
    policyUpdated.close();
    try {
      server.stop().await(60, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(60, TimeUnit.SECONDS);
    }
  }
}
