package dev.scopesync.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every variable OPAL server reads — the {@code OPAL_*} names of permitio/opal's {@code
 * opal_server/config.py} and {@code opal_common/config.py} — and what scopesync does with it
 * (DESIGN §17). {@link OpalEnvironment} reads the supported ones; any other {@code OPAL_*} variable
 * present is named in the start-up WARN, so nothing OPAL-named is ignored silently.
 *
 * <p>A test walks OPAL's own list against this one: a variable OPAL adds cannot be forgotten.
 * Immutable.
 */
public final class OpalVariables {
  /**
   * What scopesync does with one variable; {@code supported} false means it is only named in the
   * WARN.
   */
  public record Handling(String name, boolean supported, String what) {}

  private static final Map<String, Handling> ALL = new LinkedHashMap<>();

  static {
    // --- read: the server's address ----------------------------------------------------
    read("OPAL_SERVER_HOST", "`http.host`");
    read("OPAL_SERVER_BIND_PORT", "`http.port`");
    read(
        "OPAL_SERVER_PORT",
        "`http.port` when all digits (OPAL's deprecated name; a Kubernetes `tcp://…` value is ignored, as OPAL ignores it)");
    // --- read: scopes, store and clones --------------------------------------------------
    read("OPAL_SCOPES", "truthy → `store.type = redis` (OPAL keeps scopes in Redis)");
    read("OPAL_REDIS_URL", "`store.redisUrl` (OPAL's default `redis://localhost`)");
    read(
        "OPAL_BASE_DIR",
        "`git.baseDir`: the same `git_sources/<source_id>` layout, so OPAL's clones are reused");
    read("OPAL_SCOPES_REPO_CLONES_SHARDS", "`git.cloneShards`");
    read("OPAL_POLICY_REFRESH_INTERVAL", "`polling.intervalSeconds`");
    read(
        "OPAL_POLICY_REPO_CLONE_TIMEOUT",
        "`git.timeoutSeconds` (OPAL's 0 = wait forever keeps scopesync's hard limit)");
    // --- read: the default scope ---------------------------------------------------------
    read("OPAL_POLICY_SOURCE_TYPE", "`git` only; `api` (a bundle server) stops the start");
    read(
        "OPAL_POLICY_REPO_URL",
        "the `default` scope's `url`; the scope is created, or updated when it differs, at every start");
    read(
        "OPAL_POLICY_REPO_MAIN_BRANCH", "the `default` scope's `branch` (OPAL's default `master`)");
    read(
        "OPAL_POLICY_REPO_SSH_KEY",
        "the `default` scope's ssh key (OPAL's one-line form, `_` for newlines; user `git`)");
    read("OPAL_POLICY_REPO_MANIFEST_PATH", "the `default` scope's `manifest`");
    read("OPAL_FILTER_FILE_EXTENSIONS", "the `default` scope's `extensions`");
    read("OPAL_BUNDLE_IGNORE", "the `default` scope's `bundle_ignore`");
    read(
        "OPAL_POLICY_REPO_POLLING_INTERVAL",
        "> 0: the `default` scope polls (`poll_updates`), every that many seconds (`polling.intervalSeconds`)");
    // --- read: webhooks ------------------------------------------------------------------
    read("OPAL_POLICY_REPO_WEBHOOK_SECRET", "`webhook.secret`");
    read(
        "OPAL_POLICY_REPO_WEBHOOK_PARAMS",
        "`webhook.params`: the secret's header, type (token/signature) and regex, the event header or key and the push value, as OPAL honours them");
    read(
        "OPAL_POLICY_REPO_WEBHOOK_ENFORCE_BRANCH",
        "always on: a push refreshes only the scopes on the pushed branch");
    // --- read: data ----------------------------------------------------------------------
    read(
        "OPAL_DATA_CONFIG_SOURCES",
        "`data.configSources`: `GET /data/config` (or OPAL's 307 for `external_source_url`), and `GET /scopes/{id}/data` for an unknown scope");
    read("OPAL_ALL_DATA_URL", "the url of OPAL's default `OPAL_DATA_CONFIG_SOURCES` entry");
    read("OPAL_ALL_DATA_TOPIC", "the topic of OPAL's default `OPAL_DATA_CONFIG_SOURCES` entry");
    read(
        "OPAL_ALL_DATA_ROUTE",
        "`/policy-data` only (routes are fixed): another value is named in the start-up WARN");
    read(
        "OPAL_DATA_CONFIG_ROUTE",
        "`/data/config` only (routes are fixed): another value is named in the start-up WARN");
    read(
        "OPAL_DATA_CALLBACK_DEFAULT_ROUTE",
        "`/data/callback_report` only (routes are fixed): another value is named in the start-up WARN");
    // --- read: auth ----------------------------------------------------------------------
    read(
        "OPAL_AUTH_PUBLIC_KEY",
        "`auth.publicKey`: JWTs required; a key that cannot be read stops the start");
    read(
        "OPAL_AUTH_PUBLIC_KEY_FORMAT",
        "`pem` or `ssh` (either is read); any other value stops the start");
    read("OPAL_AUTH_JWT_ALGORITHM", "`auth.algorithm`");
    read("OPAL_AUTH_JWT_AUDIENCE", "`auth.audience`");
    read("OPAL_AUTH_JWT_ISSUER", "`auth.issuer`");
    read(
        "OPAL_AUTH_PRIVATE_KEY",
        "`auth.privateKey`: `POST /token` signs with it; a key that cannot be read stops the start");
    read("OPAL_AUTH_PRIVATE_KEY_FORMAT", "`pem` or `ssh`; any other value stops the start");
    read(
        "OPAL_AUTH_PRIVATE_KEY_PASSPHRASE",
        "`auth.privateKeyPassphrase`: decrypts an encrypted `OPAL_AUTH_PRIVATE_KEY`; missing,"
            + " wrong, or set for a key that is not encrypted stops the start");
    read("OPAL_AUTH_MASTER_TOKEN", "`auth.masterToken`: the bearer token `POST /token` asks for");
    read(
        "OPAL_AUTH_JWKS_URL",
        "`/.well-known/jwks.json` only (routes are fixed): another value is named in the start-up WARN");
    // --- read: the edge ------------------------------------------------------------------
    read(
        "OPAL_CLIENT_LOAD_LIMIT_NOTATION",
        "`http.clientLoadLimit`: `GET /loadlimit` answers 429 beyond it");
    read(
        "OPAL_ALLOWED_ORIGINS",
        "`http.allowedOrigins`: CORS on every route (OPAL's default `*` applies when any `OPAL_*` variable is set)");
    read("OPAL_STATISTICS_ENABLED", "`pubsub.statistics`: `GET /statistics` and `GET /stats`");
    read("OPAL_ENABLE_METRICS", "always on: `GET /metrics`");
    read("OPAL_LOG_LEVEL", "`log.level`");
    read("OPAL_LOG_SERIALIZE", "truthy → `log.format = json` (one JSON object per line)");
    read(
        "OPAL_BROADCAST_URI",
        "not used: one node needs no broadcaster; replicas share webhooks and notifications only as a Hazelcast cluster (`cluster.enabled`), so a WARN says so");

    // --- not supported (named in the start-up WARN when set) -------------------------------
    String broadcaster = "no broadcaster: replicas cluster over Hazelcast";
    for (String name :
        new String[] {
          "OPAL_BROADCAST_CHANNEL_NAME",
          "OPAL_BROADCAST_RECONNECT_ENABLED",
          "OPAL_BROADCAST_RECONNECT_MAX_RETRIES",
          "OPAL_BROADCAST_RECONNECT_BACKOFF_MIN_SECONDS",
          "OPAL_BROADCAST_RECONNECT_BACKOFF_MAX_SECONDS",
          "OPAL_BROADCAST_REPLAY_BUFFER_SIZE",
          "OPAL_BROADCAST_RESYNC_ON_RECONNECT",
          "OPAL_BROADCAST_RESYNC_SETTLE_SECONDS",
          "OPAL_BROADCAST_HEALTHCHECK_ENABLED",
          "OPAL_BROADCAST_KEEPALIVE_INTERVAL",
          "OPAL_BROADCAST_KEEPALIVE_TOPIC",
          "OPAL_STATISTICS_WAKEUP_CHANNEL",
          "OPAL_STATISTICS_STATE_SYNC_CHANNEL",
          "OPAL_STATISTICS_SERVER_KEEPALIVE_CHANNEL",
          "OPAL_STATISTICS_SERVER_KEEPALIVE_TIMEOUT",
          "OPAL_STATISTICS_ADD_CLIENT_CHANNEL",
          "OPAL_STATISTICS_REMOVE_CLIENT_CHANNEL",
          "OPAL_WS_LOCAL_URL",
          "OPAL_WS_TOKEN"
        }) {
      unsupported(name, broadcaster);
    }
    String bundleServer = "git sources only (no bundle server)";
    for (String name :
        new String[] {
          "OPAL_POLICY_BUNDLE_URL",
          "OPAL_POLICY_BUNDLE_SERVER_TYPE",
          "OPAL_POLICY_BUNDLE_SERVER_TOKEN",
          "OPAL_POLICY_BUNDLE_SERVER_TOKEN_ID",
          "OPAL_POLICY_BUNDLE_SERVER_AWS_REGION",
          "OPAL_POLICY_BUNDLE_TMP_PATH",
          "OPAL_POLICY_BUNDLE_GIT_ADD_PATTERN"
        }) {
      unsupported(name, bundleServer);
    }
    String clones = "clones live under `git.baseDir`/git_sources";
    unsupported("OPAL_POLICY_REPO_CLONE_PATH", clones);
    unsupported("OPAL_POLICY_REPO_CLONE_FOLDER_PREFIX", clones);
    unsupported("OPAL_POLICY_REPO_REUSE_CLONE_PATH", clones);
    unsupported("OPAL_GIT_SSH_KEY_FILE", "ssh keys are kept in memory, never written to a file");
    unsupported("OPAL_POLICY_REPO_POLICY_EXTENSIONS", "policy modules are the `.rego` files");
    unsupported("OPAL_LEADER_LOCK_FILE_PATH", "one process: no leader election between workers");
    unsupported("OPAL_SERVER_WORKER_COUNT", "one process uses every core");
    unsupported(
        "OPAL_REPO_WATCHER_ENABLED",
        "scopes are always watched (webhook, `polling.intervalSeconds`)");
    unsupported("OPAL_PUBLISHER_ENABLED", "changes are always published");
    unsupported("OPAL_MAX_CHANNELS_PER_CLIENT", "see `pubsub.maxConnections`");
    unsupported("OPAL_NO_RPC_LOGS", "RPC frames are never logged");
    unsupported("OPAL_AUTH_JWKS_STATIC_DIR", "the JWKS is served from memory");
    unsupported("OPAL_ENABLE_DATADOG_APM", "metrics are Prometheus (`GET /metrics`)");
    String logging = "logging is `log.level` and `log.format`";
    for (String name :
        new String[] {
          "OPAL_LOG_FORMAT_INCLUDE_PID",
          "OPAL_LOG_FORMAT",
          "OPAL_LOG_TRACEBACK",
          "OPAL_LOG_DIAGNOSE",
          "OPAL_LOG_COLORIZE",
          "OPAL_LOG_PIPE_TO_STDERR",
          "OPAL_LOG_SHOW_CODE_LINE",
          "OPAL_LOG_MODULE_EXCLUDE_LIST",
          "OPAL_LOG_MODULE_INCLUDE_LIST",
          "OPAL_LOG_PATCH_UVICORN_LOGS",
          "OPAL_LOG_TO_FILE",
          "OPAL_LOG_FILE_PATH",
          "OPAL_LOG_FILE_ROTATION",
          "OPAL_LOG_FILE_RETENTION",
          "OPAL_LOG_FILE_COMPRESSION",
          "OPAL_LOG_FILE_SERIALIZE",
          "OPAL_LOG_FILE_LEVEL"
        }) {
      unsupported(name, logging);
    }
    String clientSide = "an OPAL client setting, no use to a server";
    for (String name :
        new String[] {
          "OPAL_FETCH_PROVIDER_MODULES",
          "OPAL_FETCHING_WORKER_COUNT",
          "OPAL_FETCHING_CALLBACK_TIMEOUT",
          "OPAL_FETCHING_ENQUEUE_TIMEOUT",
          "OPAL_CLIENT_SELF_SIGNED_CERTIFICATES_ALLOWED",
          "OPAL_CLIENT_SSL_CONTEXT_TRUSTED_CA_FILE",
          "OPAL_HTTP_FETCHER_PROVIDER_CLIENT",
          "OPAL_HTTP_FETCHER_TIMEOUT"
        }) {
      unsupported(name, clientSide);
    }
  }

  private OpalVariables() {}

  private static void read(String name, String what) {
    ALL.put(name, new Handling(name, true, what));
  }

  private static void unsupported(String name, String why) {
    ALL.put(name, new Handling(name, false, why));
  }

  /** Every variable OPAL server defines, in the README's order. */
  public static Map<String, Handling> all() {
    return Collections.unmodifiableMap(ALL);
  }

  /** How {@code name} is handled, or null when OPAL server defines no such variable. */
  public static Handling of(String name) {
    return ALL.get(name);
  }
}
