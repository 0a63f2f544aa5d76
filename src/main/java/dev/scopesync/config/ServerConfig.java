package dev.scopesync.config;

import dev.scopesync.signing.BundleSigner;
import dev.scopesync.webhook.WebhookParams;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The validated, typed configuration. Built only through {@link #from}, which refuses a wrong value
 * with a message naming its key, so a running server never holds a bad one.
 */
public record ServerConfig(
    String httpHost,
    int httpPort,
    int maxBodyBytes,
    int headerTimeoutSeconds,
    int maxConnections,
    String storeType,
    Path storeDir,
    String redisUrl,
    int storeReconcileSeconds,
    Path gitBaseDir,
    int cloneShards,
    int gitTimeoutSeconds,
    int gitWorkerPoolSize,
    int syncConcurrency,
    Set<String> allowedSchemes,
    int maxOpenRepositories,
    Path gitSshDirectory,
    int bundleCacheMaxBytes,
    BundleSigner bundleSigner,
    int pollingIntervalSeconds,
    String webhookSecret,
    String authPublicKey,
    String authAlgorithm,
    String authAudience,
    String authIssuer,
    boolean internalStats,
    int bridgeTcpPort,
    boolean clusterEnabled,
    String clusterConfigFile,
    String clusterHost,
    ShardSettings shard,
    boolean pubsubEnabled,
    int pubsubMaxConnections,
    int pubsubMaxPendingBytes,
    int pubsubRejectDelayMillis,
    JsonArray scopes,
    OpalSettings opal,
    String logLevel,
    boolean logJson,
    List<ConfigNote> notes) {

  public static final Set<String> KNOWN_SCHEMES = Set.of("https", "http", "ssh", "git", "file");

  /** The clone root, {@code <git.baseDir>/git_sources}. */
  public Path gitSourcesDir() {
    return gitBaseDir.resolve("git_sources");
  }

  /**
   * Where ssh remotes' host keys are looked up ({@code known_hosts}): the configured directory,
   * else {@code ~/.ssh}.
   */
  private static Path sshDirectory(String configured) {
    return configured != null
        ? Path.of(configured)
        : Path.of(System.getProperty("user.home"), ".ssh");
  }

  /**
   * The signer of OPA bundles, or null when {@code bundles.signingKey} is not set: built once, when
   * the config is read (parsing a key costs milliseconds, never again on an event loop).
   *
   * @throws ConfigException naming the setting when the key does not parse or does not fit the
   *     algorithm (the message never holds the key)
   */
  private static BundleSigner signer(String key, String algorithm, String keyId) {
    if (key == null) {
      return null;
    }
    try {
      return BundleSigner.fromConfig(key, algorithm, keyId);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  /** Without the secrets (webhook secret, signing key) a record's own text would show. */
  @Override
  public String toString() {
    return "ServerConfig[http="
        + httpHost
        + ":"
        + httpPort
        + ", store="
        + storeType
        + ", git="
        + gitBaseDir
        + ", cluster="
        + clusterEnabled
        + ", auth="
        + (authPublicKey != null)
        + ", signing="
        + (bundleSigner != null ? bundleSigner.algorithm() + "/" + bundleSigner.keyId() : "off")
        + "]";
  }

  public static ServerConfig defaults() {
    return from(ConfigKeys.defaults());
  }

  public static ServerConfig from(JsonObject json) {
    return from(json, List.of(), new JsonArray());
  }

  /**
   * @param notes lines to log at start (from reading the environment)
   * @param ownedScopes scopes the configuration owns (OPAL's {@code POLICY_REPO_*} default scope)
   */
  public static ServerConfig from(JsonObject json, List<ConfigNote> notes, JsonArray ownedScopes) {
    Reader r = new Reader(json);
    ServerConfig config =
        new ServerConfig(
            r.string(ConfigKeys.HTTP_HOST),
            r.intIn(ConfigKeys.HTTP_PORT, 0, 65535),
            r.intIn(ConfigKeys.HTTP_MAX_BODY_BYTES, 1, Integer.MAX_VALUE),
            r.intIn(ConfigKeys.HTTP_HEADER_TIMEOUT_SECONDS, 1, 3600),
            r.intIn(ConfigKeys.HTTP_MAX_CONNECTIONS, 1, 10_000_000),
            r.oneOf(ConfigKeys.STORE_TYPE, "file", "redis"),
            Path.of(r.string(ConfigKeys.STORE_DIR)),
            r.string(ConfigKeys.STORE_REDIS_URL),
            r.intIn(ConfigKeys.STORE_RECONCILE_SECONDS, 1, 86_400),
            Path.of(r.string(ConfigKeys.GIT_BASE_DIR)),
            r.intIn(ConfigKeys.GIT_CLONE_SHARDS, 1, 256),
            r.intIn(ConfigKeys.GIT_TIMEOUT_SECONDS, 1, 86_400),
            r.intIn(ConfigKeys.GIT_WORKER_POOL_SIZE, 1, 1024),
            r.intIn(ConfigKeys.GIT_SYNC_CONCURRENCY, 1, 10_000),
            r.schemes(ConfigKeys.GIT_ALLOWED_SCHEMES),
            r.intIn(ConfigKeys.GIT_MAX_OPEN_REPOSITORIES, 1, 1_000_000),
            sshDirectory(r.optionalString(ConfigKeys.GIT_SSH_DIRECTORY)),
            r.intIn(ConfigKeys.BUNDLES_CACHE_MAX_BYTES, 0, Integer.MAX_VALUE),
            signer(
                r.optionalString(ConfigKeys.BUNDLES_SIGNING_KEY),
                r.string(ConfigKeys.BUNDLES_SIGNING_ALGORITHM),
                r.string(ConfigKeys.BUNDLES_SIGNING_KEY_ID)),
            r.intIn(ConfigKeys.POLLING_INTERVAL_SECONDS, 0, 31_536_000),
            r.optionalString(ConfigKeys.WEBHOOK_SECRET),
            r.optionalString(ConfigKeys.AUTH_PUBLIC_KEY),
            r.string(ConfigKeys.AUTH_ALGORITHM),
            r.string(ConfigKeys.AUTH_AUDIENCE),
            r.string(ConfigKeys.AUTH_ISSUER),
            r.bool(ConfigKeys.DEBUG_INTERNAL_STATS),
            r.intIn(ConfigKeys.BRIDGE_TCP_PORT, 0, 65535),
            r.bool(ConfigKeys.CLUSTER_ENABLED),
            r.string(ConfigKeys.CLUSTER_CONFIG_FILE),
            r.string(ConfigKeys.CLUSTER_HOST),
            new ShardSettings(
                r.intIn(ConfigKeys.CLUSTER_REPLICAS, 0, 64),
                r.optionalString(ConfigKeys.CLUSTER_NODE_NAME),
                r.intIn(ConfigKeys.CLUSTER_MIN_FETCHERS, 1, 10_000),
                r.intIn(ConfigKeys.CLUSTER_SETTLE_MILLIS, 0, 600_000),
                r.intIn(ConfigKeys.CLUSTER_FORWARD_TIMEOUT_MILLIS, 100, 600_000),
                r.intIn(ConfigKeys.CLUSTER_RELEASE_TIMEOUT_SECONDS, 1, 86_400),
                r.intIn(ConfigKeys.CLUSTER_LEAVE_GRACE_SECONDS, 0, 86_400),
                r.intIn(ConfigKeys.CLUSTER_WEIGHT, 0, 1000)),
            r.bool(ConfigKeys.PUBSUB_ENABLED),
            r.intIn(ConfigKeys.PUBSUB_MAX_CONNECTIONS, 0, 10_000_000),
            // At least one notify of the largest size an OPAL client accepts (1 MiB).
            r.intIn(ConfigKeys.PUBSUB_MAX_PENDING_BYTES, 1_048_576, Integer.MAX_VALUE),
            r.intIn(ConfigKeys.PUBSUB_REJECT_DELAY_MILLIS, 0, 60_000),
            r.scopes(),
            new OpalSettings(
                r.stringList(ConfigKeys.HTTP_ALLOWED_ORIGINS),
                r.rate(ConfigKeys.HTTP_CLIENT_LOAD_LIMIT),
                r.webhookParams(ConfigKeys.WEBHOOK_PARAMS),
                r.optionalString(ConfigKeys.AUTH_PRIVATE_KEY),
                r.optionalString(ConfigKeys.AUTH_PRIVATE_KEY_PASSPHRASE),
                r.optionalString(ConfigKeys.AUTH_MASTER_TOKEN),
                r.dataSources(ConfigKeys.DATA_CONFIG_SOURCES),
                r.bool(ConfigKeys.PUBSUB_STATISTICS),
                ownedScopes.copy()),
            r.oneOf(
                ConfigKeys.LOG_LEVEL,
                "TRACE",
                "DEBUG",
                "INFO",
                "SUCCESS",
                "WARN",
                "WARNING",
                "ERROR",
                "CRITICAL",
                "OFF"),
            r.oneOf(ConfigKeys.LOG_FORMAT, "text", "json").equals("json"),
            List.copyOf(notes));
    if (config.clusterEnabled && config.storeType.equals("file")) {
      throw new ConfigException(
          "cluster.enabled=true needs store.type=redis: the file store is local to one"
              + " node, so the other nodes would not see its scopes");
    }
    return config;
  }

  /** Typed access to a nested config object with key-naming errors. */
  private static final class Reader {
    private final JsonObject json;

    Reader(JsonObject json) {
      this.json = json;
    }

    private Object value(String key) {
      int dot = key.indexOf('.');
      JsonObject section = json.getJsonObject(key.substring(0, dot));
      return section == null ? null : section.getValue(key.substring(dot + 1));
    }

    String string(String key) {
      Object v = value(key);
      if (!(v instanceof String s) || s.isBlank()) {
        throw new ConfigException("config key '" + key + "' must be a non-empty string, got " + v);
      }
      return s;
    }

    String optionalString(String key) {
      Object v = value(key);
      if (v == null) {
        return null;
      }
      if (!(v instanceof String s)) {
        throw new ConfigException("config key '" + key + "' must be a string, got " + v);
      }
      return s.isEmpty() ? null : s;
    }

    int intIn(String key, int min, int max) {
      Object v = value(key);
      if (!(v instanceof Integer i) || i < min || i > max) {
        throw new ConfigException(
            "config key '"
                + key
                + "' must be an integer from "
                + min
                + " to "
                + max
                + ", got "
                + v
                + (v instanceof Number && !(v instanceof Integer)
                    ? " (a " + v.getClass().getSimpleName() + ")"
                    : ""));
      }
      return i;
    }

    boolean bool(String key) {
      Object v = value(key);
      if (!(v instanceof Boolean b)) {
        throw new ConfigException("config key '" + key + "' must be true or false, got " + v);
      }
      return b;
    }

    String oneOf(String key, String... allowed) {
      String v = string(key);
      for (String a : allowed) {
        if (a.equals(v)) {
          return v;
        }
      }
      throw new ConfigException(
          "config key '"
              + key
              + "' must be one of "
              + String.join(", ", allowed)
              + ", got '"
              + v
              + "'");
    }

    Set<String> schemes(String key) {
      Object v = value(key);
      if (!(v instanceof JsonArray list) || list.isEmpty()) {
        throw new ConfigException(
            "config key '" + key + "' must be a non-empty list of schemes, got " + v);
      }
      Set<String> out = new LinkedHashSet<>();
      for (Object item : list) {
        String scheme = String.valueOf(item).toLowerCase(Locale.ROOT);
        if (!KNOWN_SCHEMES.contains(scheme)) {
          throw new ConfigException(
              "config key '"
                  + key
                  + "' lists unknown scheme '"
                  + item
                  + "' (known: "
                  + String.join(", ", KNOWN_SCHEMES)
                  + ")");
        }
        out.add(scheme);
      }
      return Set.copyOf(out);
    }

    List<String> stringList(String key) {
      Object v = value(key);
      if (!(v instanceof JsonArray list)
          || !list.stream().allMatch(i -> i instanceof String s && !s.isBlank())) {
        throw new ConfigException("config key '" + key + "' must be a list of strings, got " + v);
      }
      return list.stream().map(String.class::cast).map(String::trim).toList();
    }

    RateNotation rate(String key) {
      String text = optionalString(key);
      try {
        return text == null ? null : RateNotation.parse(text);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("config key '" + key + "': " + e.getMessage());
      }
    }

    /** A JSON object, given as one or as its text (an environment variable). */
    JsonObject object(String key) {
      Object v = value(key);
      if (v == null || v instanceof JsonObject) {
        return (JsonObject) v;
      }
      if (v instanceof String text && !text.isBlank()) {
        try {
          return new JsonObject(text);
        } catch (RuntimeException e) {
          throw new ConfigException(
              "config key '" + key + "' is not a JSON object: " + e.getMessage());
        }
      }
      throw new ConfigException("config key '" + key + "' must be a JSON object, got " + v);
    }

    WebhookParams webhookParams(String key) {
      JsonObject json = object(key);
      try {
        return json == null ? null : WebhookParams.fromJson(json);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("config key '" + key + "': " + e.getMessage());
      }
    }

    JsonObject dataSources(String key) {
      JsonObject json = object(key);
      try {
        return json == null ? null : DataSourceConfigs.validated(json);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("config key '" + key + "': " + e.getMessage());
      }
    }

    JsonArray scopes() {
      Object v = json.getValue(ConfigKeys.SCOPES);
      if (!(v instanceof JsonArray list)) {
        throw new ConfigException("config key 'scopes' must be a list of scopes, got " + v);
      }
      for (int i = 0; i < list.size(); i++) {
        if (!(list.getValue(i) instanceof JsonObject)) {
          throw new ConfigException("config key 'scopes[" + i + "]' must be a scope object");
        }
      }
      return list.copy();
    }
  }
}
