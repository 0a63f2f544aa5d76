package dev.scopesync.config;

import io.vertx.core.json.JsonArray;
import java.util.Locale;
import java.util.Map;

/**
 * OPAL's variables for the server itself: where it listens, where it keeps scopes (Redis) and
 * clones, and its HTTP edge (CORS, the client load limit, statistics, logging, the routes OPAL lets
 * a deployment move). Stateless.
 */
final class OpalServerVariables {
  /**
   * Routes OPAL lets a deployment move and scopesync keeps fixed: variable → the one value that
   * works.
   */
  private static final Map<String, String> FIXED_ROUTES =
      Map.of(
          "OPAL_ALL_DATA_ROUTE", "/policy-data",
          "OPAL_DATA_CONFIG_ROUTE", "/data/config",
          "OPAL_DATA_CALLBACK_DEFAULT_ROUTE", "/data/callback_report",
          "OPAL_AUTH_JWKS_URL", "/.well-known/jwks.json");

  private OpalServerVariables() {}

  /** The listening address, the store and the clone directories. */
  static void readAddressAndStore(OverlayDraft draft) {
    OpalValues env = draft.env();
    draft.copy("OPAL_SERVER_HOST", ConfigKeys.HTTP_HOST);
    String legacyPort = env.value("OPAL_SERVER_PORT");
    if (legacyPort != null && !legacyPort.chars().allMatch(Character::isDigit)) {
      draft.note(
          ConfigNote.info(
              "OPAL_SERVER_PORT='"
                  + legacyPort
                  + "' is not a port number (a Kubernetes service link?):"
                  + " ignored, as OPAL ignores it"));
      legacyPort = null;
    }
    Integer port = env.integer("OPAL_SERVER_BIND_PORT");
    if (legacyPort != null) {
      draft.put(ConfigKeys.HTTP_PORT, env.integer("OPAL_SERVER_PORT"), "OPAL_SERVER_PORT");
    } else if (port != null) {
      draft.put(ConfigKeys.HTTP_PORT, port, "OPAL_SERVER_BIND_PORT");
    }
    Boolean scopes = env.bool("OPAL_SCOPES");
    if (Boolean.TRUE.equals(scopes)) {
      draft.put(ConfigKeys.STORE_TYPE, "redis", "OPAL_SCOPES");
      // OPAL's default Redis when OPAL_REDIS_URL is unset.
      draft.put(
          ConfigKeys.STORE_REDIS_URL,
          env.valueOr("OPAL_REDIS_URL", "redis://localhost"),
          env.value("OPAL_REDIS_URL") != null ? "OPAL_REDIS_URL" : "OPAL_SCOPES");
    } else {
      draft.copy("OPAL_REDIS_URL", ConfigKeys.STORE_REDIS_URL);
    }
    draft.copy("OPAL_BASE_DIR", ConfigKeys.GIT_BASE_DIR);
    draft.putInteger("OPAL_SCOPES_REPO_CLONES_SHARDS", ConfigKeys.GIT_CLONE_SHARDS);
  }

  /** Replicas, CORS, the client load limit, statistics, logging and the fixed routes. */
  static void readEdge(OverlayDraft draft) {
    OpalValues env = draft.env();
    if (env.value("OPAL_BROADCAST_URI") != null) {
      draft.note(
          ConfigNote.warn(
              "OPAL_BROADCAST_URI is not used: one node needs no broadcaster, and replicas share"
                  + " webhooks and client notifications only when they form a Hazelcast cluster (cluster.enabled=true);"
                  + " without it each replica is on its own"));
    }
    String limit = env.value("OPAL_CLIENT_LOAD_LIMIT_NOTATION");
    if (limit != null) {
      try {
        RateNotation.parse(limit);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("OPAL_CLIENT_LOAD_LIMIT_NOTATION: " + e.getMessage());
      }
      draft.put(ConfigKeys.HTTP_CLIENT_LOAD_LIMIT, limit.trim(), "OPAL_CLIENT_LOAD_LIMIT_NOTATION");
    }
    // OPAL's default is every origin; it applies to an OPAL deployment (any OPAL_* variable set).
    String origins = env.value("OPAL_ALLOWED_ORIGINS");
    draft.put(
        ConfigKeys.HTTP_ALLOWED_ORIGINS,
        origins == null ? new JsonArray().add("*") : env.list("OPAL_ALLOWED_ORIGINS"),
        origins == null ? "OPAL's default for OPAL_ALLOWED_ORIGINS" : "OPAL_ALLOWED_ORIGINS");
    if (origins == null) {
      draft.note(
          ConfigNote.info(
              "CORS for every origin (OPAL's default OPAL_ALLOWED_ORIGINS=*); set OPAL_ALLOWED_ORIGINS"
                  + " or http.allowedOrigins to narrow it"));
    }
    Boolean statistics = env.bool("OPAL_STATISTICS_ENABLED");
    if (statistics != null) {
      draft.put(ConfigKeys.PUBSUB_STATISTICS, statistics, "OPAL_STATISTICS_ENABLED");
    }
    String level = env.value("OPAL_LOG_LEVEL");
    if (level != null) {
      draft.put(ConfigKeys.LOG_LEVEL, level.trim().toUpperCase(Locale.ROOT), "OPAL_LOG_LEVEL");
    }
    Boolean serialize = env.bool("OPAL_LOG_SERIALIZE");
    if (serialize != null) {
      draft.put(ConfigKeys.LOG_FORMAT, serialize ? "json" : "text", "OPAL_LOG_SERIALIZE");
    }
    for (Map.Entry<String, String> route : FIXED_ROUTES.entrySet()) {
      String given = env.value(route.getKey());
      if (given != null && !given.trim().equals(route.getValue())) {
        draft.note(
            ConfigNote.warn(
                route.getKey()
                    + "='"
                    + given
                    + "' is not supported: the route is always "
                    + route.getValue()));
      }
    }
  }
}
