package dev.scopesync.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Every configuration key and its built-in default, in one place (DESIGN §10). The defaults object
 * doubles as the schema: a key's type is its default's type, and a key whose default is null is a
 * string.
 */
public final class ConfigKeys {
  public static final String HTTP_HOST = "http.host";
  public static final String HTTP_PORT = "http.port";
  public static final String HTTP_MAX_BODY_BYTES = "http.maxBodyBytes";
  public static final String HTTP_HEADER_TIMEOUT_SECONDS = "http.headerTimeoutSeconds";
  public static final String HTTP_MAX_CONNECTIONS = "http.maxConnections";
  public static final String HTTP_ALLOWED_ORIGINS = "http.allowedOrigins";
  public static final String HTTP_CLIENT_LOAD_LIMIT = "http.clientLoadLimit";
  public static final String STORE_TYPE = "store.type";
  public static final String STORE_DIR = "store.dir";
  public static final String STORE_REDIS_URL = "store.redisUrl";
  public static final String STORE_RECONCILE_SECONDS = "store.reconcileSeconds";
  public static final String GIT_BASE_DIR = "git.baseDir";
  public static final String GIT_CLONE_SHARDS = "git.cloneShards";
  public static final String GIT_TIMEOUT_SECONDS = "git.timeoutSeconds";
  public static final String GIT_WORKER_POOL_SIZE = "git.workerPoolSize";
  public static final String GIT_SYNC_CONCURRENCY = "git.syncConcurrency";
  public static final String GIT_ALLOWED_SCHEMES = "git.allowedSchemes";
  public static final String GIT_MAX_OPEN_REPOSITORIES = "git.maxOpenRepositories";
  public static final String GIT_SSH_DIRECTORY = "git.sshDirectory";
  public static final String BUNDLES_CACHE_MAX_BYTES = "bundles.cacheMaxBytes";
  public static final String BUNDLES_SIGNING_KEY = "bundles.signingKey";
  public static final String BUNDLES_SIGNING_ALGORITHM = "bundles.signingAlgorithm";
  public static final String BUNDLES_SIGNING_KEY_ID = "bundles.signingKeyId";
  public static final String POLLING_INTERVAL_SECONDS = "polling.intervalSeconds";
  public static final String WEBHOOK_SECRET = "webhook.secret";
  public static final String WEBHOOK_PARAMS = "webhook.params";
  public static final String AUTH_PUBLIC_KEY = "auth.publicKey";
  public static final String AUTH_ALGORITHM = "auth.algorithm";
  public static final String AUTH_AUDIENCE = "auth.audience";
  public static final String AUTH_ISSUER = "auth.issuer";
  public static final String AUTH_PRIVATE_KEY = "auth.privateKey";
  public static final String AUTH_PRIVATE_KEY_PASSPHRASE = "auth.privateKeyPassphrase";
  public static final String AUTH_MASTER_TOKEN = "auth.masterToken";
  public static final String DATA_CONFIG_SOURCES = "data.configSources";
  public static final String LOG_LEVEL = "log.level";
  public static final String LOG_FORMAT = "log.format";
  public static final String DEBUG_INTERNAL_STATS = "debug.internalStats";
  public static final String BRIDGE_TCP_PORT = "bridge.tcpPort";
  public static final String CLUSTER_ENABLED = "cluster.enabled";
  public static final String CLUSTER_CONFIG_FILE = "cluster.configFile";
  public static final String CLUSTER_HOST = "cluster.host";
  public static final String CLUSTER_REPLICAS = "cluster.replicas";
  public static final String CLUSTER_NODE_NAME = "cluster.nodeName";
  public static final String CLUSTER_MIN_FETCHERS = "cluster.minFetchers";
  public static final String CLUSTER_SETTLE_MILLIS = "cluster.settleMillis";
  public static final String CLUSTER_FORWARD_TIMEOUT_MILLIS = "cluster.forwardTimeoutMillis";
  public static final String CLUSTER_RELEASE_TIMEOUT_SECONDS = "cluster.releaseTimeoutSeconds";
  public static final String CLUSTER_LEAVE_GRACE_SECONDS = "cluster.leaveGraceSeconds";
  public static final String CLUSTER_WEIGHT = "cluster.weight";
  public static final String PUBSUB_ENABLED = "pubsub.enabled";
  public static final String PUBSUB_MAX_CONNECTIONS = "pubsub.maxConnections";
  public static final String PUBSUB_MAX_PENDING_BYTES = "pubsub.maxPendingBytes";
  public static final String PUBSUB_REJECT_DELAY_MILLIS = "pubsub.rejectDelayMillis";
  public static final String PUBSUB_STATISTICS = "pubsub.statistics";

  /** Top-level: scopes created at boot when absent. */
  public static final String SCOPES = "scopes";

  private ConfigKeys() {}

  /** A fresh copy of the built-in defaults, nested by section. */
  public static JsonObject defaults() {
    return new JsonObject()
        .put(
            "http",
            new JsonObject()
                .put("host", "127.0.0.1")
                .put("port", 7002)
                .put("maxBodyBytes", 1_048_576)
                .put("headerTimeoutSeconds", 30)
                // Above pubsub.maxConnections: OPAL clients' sockets are HTTP connections too.
                .put("maxConnections", 30_000)
                // No CORS unless asked: a browser page must not read a localhost API by default.
                .put("allowedOrigins", new JsonArray())
                // OPAL's CLIENT_LOAD_LIMIT_NOTATION for GET /loadlimit ("10/second"); null = no
                // limit.
                .putNull("clientLoadLimit"))
        .put(
            "store",
            new JsonObject()
                .put("type", "file")
                .put("dir", "./data/scopes")
                .put("redisUrl", "redis://127.0.0.1:6379")
                .put("reconcileSeconds", 60))
        .put(
            "git",
            new JsonObject()
                .put("baseDir", "./data")
                .put("cloneShards", 1)
                .put("timeoutSeconds", 120)
                .put("workerPoolSize", 8)
                .put("syncConcurrency", 8)
                .put(
                    "allowedSchemes",
                    new JsonArray().add("https").add("http").add("ssh").add("git"))
                .put("maxOpenRepositories", 256)
                // null: the ~/.ssh of the user running the server.
                .putNull("sshDirectory"))
        .put(
            "bundles",
            new JsonObject()
                .put("cacheMaxBytes", 64 * 1024 * 1024)
                .putNull("signingKey")
                .put("signingAlgorithm", "RS256")
                .put("signingKeyId", "scopesync"))
        .put("polling", new JsonObject().put("intervalSeconds", 0))
        .put(
            "webhook",
            new JsonObject()
                .putNull("secret")
                // OPAL's POLICY_REPO_WEBHOOK_PARAMS (JSON); null = detect the git host from its
                // headers.
                .putNull("params"))
        .put(
            "auth",
            new JsonObject()
                .putNull("publicKey")
                .put("algorithm", "RS256")
                .put("audience", "https://api.opal.ac/v1/")
                .put("issuer", "https://opal.ac/")
                .putNull("privateKey")
                .putNull("privateKeyPassphrase")
                .putNull("masterToken"))
        // OPAL's DATA_CONFIG_SOURCES (JSON); null = the default scope's data.
        .put("data", new JsonObject().putNull("configSources"))
        .put("log", new JsonObject().put("level", "INFO").put("format", "text"))
        .put("debug", new JsonObject().put("internalStats", false))
        .put("bridge", new JsonObject().put("tcpPort", 0))
        .put(
            "cluster",
            new JsonObject()
                .put("enabled", false)
                .put("configFile", "conf/cluster.xml")
                .put("host", "127.0.0.1")
                // Sharded fetchers (DESIGN §19): 0 replicas = every node clones every source.
                .put("replicas", 0)
                .putNull("nodeName")
                .put("minFetchers", 1)
                .put("settleMillis", 3000)
                .put("forwardTimeoutMillis", 2000)
                .put("releaseTimeoutSeconds", 600)
                .put("leaveGraceSeconds", 0)
                .put("weight", 1))
        .put(
            "pubsub",
            new JsonObject()
                .put("enabled", true)
                .put("maxConnections", 20_000)
                .put("maxPendingBytes", 8 * 1024 * 1024)
                .put("rejectDelayMillis", 1000)
                .put("statistics", false))
        .put(SCOPES, new JsonArray());
  }
}
