package dev.scopesync.config;

import dev.scopesync.webhook.WebhookParams;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * An OPAL server's environment read as scopesync configuration (DESIGN §17): the {@code OPAL_*}
 * variables {@link OpalVariables} lists as supported become scopesync keys (the layer between the
 * built-in defaults and the {@code --conf} file), the {@code OPAL_POLICY_REPO_*} ones the {@code
 * default} scope, and every other {@code OPAL_*} variable present is named in one WARN.
 *
 * <p>What cannot be read stops the start with the variable named ({@link ConfigException}): a
 * malformed JSON or rate, a boolean or number that is neither, an auth key format scopesync cannot
 * read (dropping it would leave the server open). Runs once, before Vert.x exists.
 */
public final class OpalEnvironment {
  static final String PREFIX = "OPAL_";
  private static final String DEFAULT_SCOPE = "default";

  /** OPAL's {@code ALL_DATA_URL} default: its own {@code /policy-data} route. */
  private static final String DEFAULT_ALL_DATA_URL = "http://localhost:7002/policy-data";

  private static final String DEFAULT_DATA_TOPIC = "policy_data";

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

  /**
   * The result.
   *
   * @param settings scopesync keys in the nested shape of {@link ConfigKeys#defaults()}
   * @param setBy for each dotted key in {@code settings}, the OPAL variable it came from
   * @param notes lines to log at start
   * @param ownedScopes scopes the configuration owns: put at every start when they differ
   */
  public record Overlay(
      JsonObject settings,
      Map<String, String> setBy,
      List<ConfigNote> notes,
      JsonArray ownedScopes) {}

  private final Map<String, String> env;
  private final JsonObject settings = new JsonObject();
  private final Map<String, String> setBy = new LinkedHashMap<>();
  private final List<ConfigNote> notes = new ArrayList<>();

  private OpalEnvironment(Map<String, String> env) {
    this.env = env;
  }

  /**
   * Reads {@code env}'s {@code OPAL_*} variables; an environment without any gives an empty
   * overlay.
   */
  public static Overlay read(Map<String, String> env) {
    return new OpalEnvironment(env).read();
  }

  private Overlay read() {
    boolean anyOpal = env.keySet().stream().anyMatch(k -> k.startsWith(PREFIX));
    if (!anyOpal) {
      return new Overlay(settings, setBy, notes, new JsonArray());
    }
    readServer();
    readAuth();
    readEdge();
    JsonObject dataSources = readDataSources();
    JsonArray owned = readDefaultScope(dataSources);
    nameUnsupported();
    return new Overlay(settings, setBy, notes, owned);
  }

  private void readServer() {
    copy("OPAL_SERVER_HOST", ConfigKeys.HTTP_HOST);
    String legacyPort = value("OPAL_SERVER_PORT");
    if (legacyPort != null && !legacyPort.chars().allMatch(Character::isDigit)) {
      notes.add(
          ConfigNote.info(
              "OPAL_SERVER_PORT='"
                  + legacyPort
                  + "' is not a port number (a Kubernetes service link?):"
                  + " ignored, as OPAL ignores it"));
      legacyPort = null;
    }
    Integer port = integer("OPAL_SERVER_BIND_PORT");
    if (legacyPort != null) {
      put(ConfigKeys.HTTP_PORT, integer("OPAL_SERVER_PORT"), "OPAL_SERVER_PORT");
    } else if (port != null) {
      put(ConfigKeys.HTTP_PORT, port, "OPAL_SERVER_BIND_PORT");
    }
    Boolean scopes = bool("OPAL_SCOPES");
    if (Boolean.TRUE.equals(scopes)) {
      put(ConfigKeys.STORE_TYPE, "redis", "OPAL_SCOPES");
      // OPAL's default Redis when OPAL_REDIS_URL is unset.
      put(
          ConfigKeys.STORE_REDIS_URL,
          value("OPAL_REDIS_URL") != null ? value("OPAL_REDIS_URL") : "redis://localhost",
          value("OPAL_REDIS_URL") != null ? "OPAL_REDIS_URL" : "OPAL_SCOPES");
    } else {
      copy("OPAL_REDIS_URL", ConfigKeys.STORE_REDIS_URL);
    }
    copy("OPAL_BASE_DIR", ConfigKeys.GIT_BASE_DIR);
    putInteger("OPAL_SCOPES_REPO_CLONES_SHARDS", ConfigKeys.GIT_CLONE_SHARDS);
    Integer timeout = integer("OPAL_POLICY_REPO_CLONE_TIMEOUT");
    if (timeout != null && timeout == 0) {
      notes.add(
          ConfigNote.info(
              "OPAL_POLICY_REPO_CLONE_TIMEOUT=0 (OPAL: wait forever): scopesync keeps its hard"
                  + " limit, git.timeoutSeconds"));
    } else if (timeout != null) {
      put(ConfigKeys.GIT_TIMEOUT_SECONDS, timeout, "OPAL_POLICY_REPO_CLONE_TIMEOUT");
    }
    Integer refresh = integer("OPAL_POLICY_REFRESH_INTERVAL");
    Integer repoPolling = integer("OPAL_POLICY_REPO_POLLING_INTERVAL");
    if (refresh != null
        && refresh > 0
        && repoPolling != null
        && repoPolling > 0
        && !refresh.equals(repoPolling)) {
      notes.add(
          ConfigNote.info(
              "OPAL_POLICY_REFRESH_INTERVAL="
                  + refresh
                  + " and OPAL_POLICY_REPO_POLLING_INTERVAL="
                  + repoPolling
                  + ": one poll timer serves both, every "
                  + Math.min(refresh, repoPolling)
                  + " s"));
    }
    int interval = Math.min(positiveOr(refresh), positiveOr(repoPolling));
    if (interval != Integer.MAX_VALUE) {
      put(
          ConfigKeys.POLLING_INTERVAL_SECONDS,
          interval,
          refresh != null && refresh == interval
              ? "OPAL_POLICY_REFRESH_INTERVAL"
              : "OPAL_POLICY_REPO_POLLING_INTERVAL");
    }
    copy("OPAL_POLICY_REPO_WEBHOOK_SECRET", ConfigKeys.WEBHOOK_SECRET);
    if (value("OPAL_POLICY_REPO_WEBHOOK_PARAMS") != null) {
      JsonObject params = json("OPAL_POLICY_REPO_WEBHOOK_PARAMS");
      try {
        WebhookParams.fromJson(params);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("OPAL_POLICY_REPO_WEBHOOK_PARAMS: " + e.getMessage());
      }
      put(ConfigKeys.WEBHOOK_PARAMS, params.encode(), "OPAL_POLICY_REPO_WEBHOOK_PARAMS");
    }
    if (value("OPAL_BROADCAST_URI") != null) {
      notes.add(
          ConfigNote.warn(
              "OPAL_BROADCAST_URI is not used: one node needs no broadcaster, and replicas share"
                  + " webhooks and client notifications only when they form a Hazelcast cluster (cluster.enabled=true);"
                  + " without it each replica is on its own"));
    }
  }

  private void readAuth() {
    for (String format : List.of("OPAL_AUTH_PUBLIC_KEY_FORMAT", "OPAL_AUTH_PRIVATE_KEY_FORMAT")) {
      String value = value(format);
      if (value != null
          && !value.trim().equalsIgnoreCase("pem")
          && !value.trim().equalsIgnoreCase("ssh")) {
        throw new ConfigException(
            format
                + "='"
                + value
                + "' is not a key format scopesync reads (pem or ssh);"
                + " refusing to start rather than run without the key");
      }
    }
    copy("OPAL_AUTH_PUBLIC_KEY", ConfigKeys.AUTH_PUBLIC_KEY);
    copy("OPAL_AUTH_JWT_ALGORITHM", ConfigKeys.AUTH_ALGORITHM);
    copy("OPAL_AUTH_JWT_AUDIENCE", ConfigKeys.AUTH_AUDIENCE);
    copy("OPAL_AUTH_JWT_ISSUER", ConfigKeys.AUTH_ISSUER);
    copy("OPAL_AUTH_PRIVATE_KEY", ConfigKeys.AUTH_PRIVATE_KEY);
    copy("OPAL_AUTH_PRIVATE_KEY_PASSPHRASE", ConfigKeys.AUTH_PRIVATE_KEY_PASSPHRASE);
    copy("OPAL_AUTH_MASTER_TOKEN", ConfigKeys.AUTH_MASTER_TOKEN);
  }

  private void readEdge() {
    String limit = value("OPAL_CLIENT_LOAD_LIMIT_NOTATION");
    if (limit != null) {
      try {
        RateNotation.parse(limit);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("OPAL_CLIENT_LOAD_LIMIT_NOTATION: " + e.getMessage());
      }
      put(ConfigKeys.HTTP_CLIENT_LOAD_LIMIT, limit.trim(), "OPAL_CLIENT_LOAD_LIMIT_NOTATION");
    }
    // OPAL's default is every origin; it applies to an OPAL deployment (any OPAL_* variable set).
    String origins = value("OPAL_ALLOWED_ORIGINS");
    put(
        ConfigKeys.HTTP_ALLOWED_ORIGINS,
        origins == null ? new JsonArray().add("*") : list("OPAL_ALLOWED_ORIGINS"),
        origins == null ? "OPAL's default for OPAL_ALLOWED_ORIGINS" : "OPAL_ALLOWED_ORIGINS");
    if (origins == null) {
      notes.add(
          ConfigNote.info(
              "CORS for every origin (OPAL's default OPAL_ALLOWED_ORIGINS=*); set OPAL_ALLOWED_ORIGINS"
                  + " or http.allowedOrigins to narrow it"));
    }
    Boolean statistics = bool("OPAL_STATISTICS_ENABLED");
    if (statistics != null) {
      put(ConfigKeys.PUBSUB_STATISTICS, statistics, "OPAL_STATISTICS_ENABLED");
    }
    String level = value("OPAL_LOG_LEVEL");
    if (level != null) {
      put(ConfigKeys.LOG_LEVEL, level.trim().toUpperCase(Locale.ROOT), "OPAL_LOG_LEVEL");
    }
    Boolean serialize = bool("OPAL_LOG_SERIALIZE");
    if (serialize != null) {
      put(ConfigKeys.LOG_FORMAT, serialize ? "json" : "text", "OPAL_LOG_SERIALIZE");
    }
    for (Map.Entry<String, String> route : FIXED_ROUTES.entrySet()) {
      String given = value(route.getKey());
      if (given != null && !given.trim().equals(route.getValue())) {
        notes.add(
            ConfigNote.warn(
                route.getKey()
                    + "='"
                    + given
                    + "' is not supported: the route is always "
                    + route.getValue()));
      }
    }
  }

  /**
   * OPAL's {@code DATA_CONFIG_SOURCES}, or its default (one entry: {@code ALL_DATA_URL} on {@code
   * ALL_DATA_TOPIC}).
   */
  private JsonObject readDataSources() {
    JsonObject sources;
    String from;
    if (value("OPAL_DATA_CONFIG_SOURCES") != null) {
      sources = json("OPAL_DATA_CONFIG_SOURCES");
      from = "OPAL_DATA_CONFIG_SOURCES";
    } else {
      String url =
          value("OPAL_ALL_DATA_URL") != null ? value("OPAL_ALL_DATA_URL") : DEFAULT_ALL_DATA_URL;
      String topic =
          value("OPAL_ALL_DATA_TOPIC") != null ? value("OPAL_ALL_DATA_TOPIC") : DEFAULT_DATA_TOPIC;
      sources =
          new JsonObject()
              .put(
                  "config",
                  new JsonObject()
                      .put(
                          "entries",
                          new JsonArray()
                              .add(
                                  new JsonObject()
                                      .put("url", url)
                                      .put("topics", new JsonArray().add(topic)))));
      from = "OPAL's default for OPAL_DATA_CONFIG_SOURCES";
    }
    try {
      sources = DataSourceConfigs.validated(sources);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("OPAL_DATA_CONFIG_SOURCES: " + e.getMessage());
    }
    put(ConfigKeys.DATA_CONFIG_SOURCES, sources.encode(), from);
    return sources;
  }

  /**
   * The {@code default} scope of OPAL's {@code POLICY_REPO_*} variables (OPAL's scopes loader), or
   * none.
   */
  private JsonArray readDefaultScope(JsonObject dataSources) {
    String type = value("OPAL_POLICY_SOURCE_TYPE");
    if (type != null && !type.trim().equalsIgnoreCase("git")) {
      throw new ConfigException(
          "OPAL_POLICY_SOURCE_TYPE='"
              + type
              + "' is not supported: scopesync serves git"
              + " repositories only");
    }
    String url = value("OPAL_POLICY_REPO_URL");
    if (url == null) {
      return new JsonArray();
    }
    JsonObject auth = new JsonObject().put("auth_type", "none");
    String sshKey = value("OPAL_POLICY_REPO_SSH_KEY");
    if (sshKey != null) {
      // OPAL's one-line form: newlines written as '_' (base64 has none), and a final newline.
      String key = sshKey.replace("_", "\n");
      auth =
          new JsonObject()
              .put("auth_type", "ssh")
              .put("username", "git")
              .put("private_key", key.endsWith("\n") ? key : key + "\n");
    }
    JsonObject policy =
        new JsonObject()
            .put("source_type", "git")
            .put("url", url.trim())
            .put(
                "branch",
                value("OPAL_POLICY_REPO_MAIN_BRANCH") != null
                    ? value("OPAL_POLICY_REPO_MAIN_BRANCH").trim()
                    : "master")
            .put(
                "manifest",
                value("OPAL_POLICY_REPO_MANIFEST_PATH") != null
                    ? value("OPAL_POLICY_REPO_MANIFEST_PATH")
                    : ".manifest")
            .put("auth", auth);
    if (value("OPAL_FILTER_FILE_EXTENSIONS") != null) {
      policy.put("extensions", list("OPAL_FILTER_FILE_EXTENSIONS"));
    }
    if (value("OPAL_BUNDLE_IGNORE") != null) {
      policy.put("bundle_ignore", list("OPAL_BUNDLE_IGNORE"));
    }
    Integer polling = integer("OPAL_POLICY_REPO_POLLING_INTERVAL");
    policy.put("poll_updates", polling != null && polling > 0);
    JsonObject config = dataSources.getJsonObject("config");
    JsonArray entries = config == null ? null : config.getJsonArray("entries");
    JsonObject data = new JsonObject().put("entries", entries == null ? new JsonArray() : entries);
    notes.add(
        ConfigNote.info(
            "the default scope follows OPAL_POLICY_REPO_URL (branch "
                + policy.getString("branch")
                + "): created, or updated when it differs, at every start"));
    return new JsonArray()
        .add(
            new JsonObject()
                .put("scope_id", DEFAULT_SCOPE)
                .put("policy", policy)
                .put("data", data));
  }

  /** One WARN naming every OPAL_* variable present that scopesync does not read. */
  private void nameUnsupported() {
    TreeSet<String> unsupported = new TreeSet<>();
    for (String name : env.keySet()) {
      if (!name.startsWith(PREFIX)) {
        continue;
      }
      OpalVariables.Handling handling = OpalVariables.of(name);
      if (handling == null || !handling.supported()) {
        unsupported.add(name);
      }
    }
    if (!unsupported.isEmpty()) {
      notes.add(
          ConfigNote.warn(
              "not supported, ignored: "
                  + String.join(", ", unsupported)
                  + " (the README's \"Migrating from OPAL\" says why for each)"));
    }
  }

  // --- reading values as OPAL's confi reads them ----------------------------------------

  private String value(String name) {
    String raw = env.get(name);
    return raw == null || raw.isEmpty() ? null : raw;
  }

  private void copy(String name, String key) {
    String raw = value(name);
    if (raw != null) {
      put(key, raw, name);
    }
  }

  private void putInteger(String name, String key) {
    Integer v = integer(name);
    if (v != null) {
      put(key, v, name);
    }
  }

  private void put(String key, Object value, String from) {
    int dot = key.indexOf('.');
    JsonObject section = settings.getJsonObject(key.substring(0, dot));
    if (section == null) {
      section = new JsonObject();
      settings.put(key.substring(0, dot), section);
    }
    section.put(key.substring(dot + 1), value);
    setBy.put(key, from);
  }

  private Integer integer(String name) {
    String raw = value(name);
    if (raw == null) {
      return null;
    }
    try {
      return Integer.parseInt(raw.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(name + " must be an integer, got '" + raw + "'");
    }
  }

  /** {@code 1/true/yes/on} and {@code 0/false/no/off}, any case; anything else is refused. */
  private Boolean bool(String name) {
    String raw = value(name);
    if (raw == null) {
      return null;
    }
    return switch (raw.trim().toLowerCase(Locale.ROOT)) {
      case "1", "true", "yes", "on" -> true;
      case "0", "false", "no", "off" -> false;
      default ->
          throw new ConfigException(
              name + " must be a boolean (true/false, 1/0, yes/no, on/off), got '" + raw + "'");
    };
  }

  /** A JSON list, or items separated by commas (confi's {@code list}), blanks dropped. */
  private JsonArray list(String name) {
    String raw = value(name).trim();
    if (raw.startsWith("[")) {
      try {
        JsonArray parsed = new JsonArray(raw);
        if (parsed.stream().allMatch(String.class::isInstance)) {
          return parsed;
        }
      } catch (DecodeException e) {
        // not JSON: read as comma-separated below, as confi would
      }
    }
    JsonArray items = new JsonArray();
    for (String item : raw.split(",")) {
      if (!item.isBlank()) {
        items.add(item.trim());
      }
    }
    return items;
  }

  private JsonObject json(String name) {
    try {
      return new JsonObject(value(name));
    } catch (DecodeException | ClassCastException e) {
      throw new ConfigException(name + " is not a JSON object: " + e.getMessage());
    }
  }

  private static int positiveOr(Integer value) {
    return value != null && value > 0 ? value : Integer.MAX_VALUE;
  }
}
