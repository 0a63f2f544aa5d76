package dev.scopesync.config;

import dev.scopesync.webhook.WebhookParams;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * OPAL's variables for its one policy repository: how it is fetched (clone timeout, polling,
 * webhooks), the data sources, and the {@code default} scope its {@code OPAL_POLICY_REPO_*}
 * variables describe (OPAL's scopes loader). Stateless.
 */
final class OpalPolicyRepoVariables {
  private static final String DEFAULT_SCOPE = "default";

  /** OPAL's {@code ALL_DATA_URL} default: its own {@code /policy-data} route. */
  private static final String DEFAULT_ALL_DATA_URL = "http://localhost:7002/policy-data";

  private static final String DEFAULT_DATA_TOPIC = "policy_data";

  private OpalPolicyRepoVariables() {}

  /** The clone timeout, the poll interval and the webhook's secret and parameters. */
  static void readFetching(OverlayDraft draft) {
    OpalValues env = draft.env();
    Integer timeout = env.integer("OPAL_POLICY_REPO_CLONE_TIMEOUT");
    if (timeout != null && timeout == 0) {
      draft.note(
          ConfigNote.info(
              "OPAL_POLICY_REPO_CLONE_TIMEOUT=0 (OPAL: wait forever): scopesync keeps its hard"
                  + " limit, git.timeoutSeconds"));
    } else if (timeout != null) {
      draft.put(ConfigKeys.GIT_TIMEOUT_SECONDS, timeout, "OPAL_POLICY_REPO_CLONE_TIMEOUT");
    }
    Integer refresh = env.integer("OPAL_POLICY_REFRESH_INTERVAL");
    Integer repoPolling = env.integer("OPAL_POLICY_REPO_POLLING_INTERVAL");
    if (refresh != null
        && refresh > 0
        && repoPolling != null
        && repoPolling > 0
        && !refresh.equals(repoPolling)) {
      draft.note(
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
      draft.put(
          ConfigKeys.POLLING_INTERVAL_SECONDS,
          interval,
          refresh != null && refresh == interval
              ? "OPAL_POLICY_REFRESH_INTERVAL"
              : "OPAL_POLICY_REPO_POLLING_INTERVAL");
    }
    draft.copy("OPAL_POLICY_REPO_WEBHOOK_SECRET", ConfigKeys.WEBHOOK_SECRET);
    if (env.value("OPAL_POLICY_REPO_WEBHOOK_PARAMS") != null) {
      JsonObject params = env.json("OPAL_POLICY_REPO_WEBHOOK_PARAMS");
      try {
        WebhookParams.fromJson(params);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("OPAL_POLICY_REPO_WEBHOOK_PARAMS: " + e.getMessage());
      }
      draft.put(ConfigKeys.WEBHOOK_PARAMS, params.encode(), "OPAL_POLICY_REPO_WEBHOOK_PARAMS");
    }
  }

  /**
   * OPAL's {@code DATA_CONFIG_SOURCES}, or its default (one entry: {@code ALL_DATA_URL} on {@code
   * ALL_DATA_TOPIC}); put in the draft and answered for {@link #readDefaultScope}.
   */
  static JsonObject readDataSources(OverlayDraft draft) {
    OpalValues env = draft.env();
    JsonObject sources;
    String from;
    if (env.value("OPAL_DATA_CONFIG_SOURCES") != null) {
      sources = env.json("OPAL_DATA_CONFIG_SOURCES");
      from = "OPAL_DATA_CONFIG_SOURCES";
    } else {
      String url = env.valueOr("OPAL_ALL_DATA_URL", DEFAULT_ALL_DATA_URL);
      String topic = env.valueOr("OPAL_ALL_DATA_TOPIC", DEFAULT_DATA_TOPIC);
      JsonObject entry = new JsonObject().put("url", url).put("topics", new JsonArray().add(topic));
      sources =
          new JsonObject()
              .put("config", new JsonObject().put("entries", new JsonArray().add(entry)));
      from = "OPAL's default for OPAL_DATA_CONFIG_SOURCES";
    }
    try {
      sources = DataSourceConfigs.validated(sources);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("OPAL_DATA_CONFIG_SOURCES: " + e.getMessage());
    }
    draft.put(ConfigKeys.DATA_CONFIG_SOURCES, sources.encode(), from);
    return sources;
  }

  /**
   * The {@code default} scope of OPAL's {@code POLICY_REPO_*} variables, with the entries of {@code
   * dataSources} as its data; an empty array when {@code OPAL_POLICY_REPO_URL} is unset.
   */
  static JsonArray readDefaultScope(OverlayDraft draft, JsonObject dataSources) {
    OpalValues env = draft.env();
    String type = env.value("OPAL_POLICY_SOURCE_TYPE");
    if (type != null && !type.trim().equalsIgnoreCase("git")) {
      throw new ConfigException(
          "OPAL_POLICY_SOURCE_TYPE='"
              + type
              + "' is not supported: scopesync serves git"
              + " repositories only");
    }
    String url = env.value("OPAL_POLICY_REPO_URL");
    if (url == null) {
      return new JsonArray();
    }
    JsonObject auth = new JsonObject().put("auth_type", "none");
    String sshKey = env.value("OPAL_POLICY_REPO_SSH_KEY");
    if (sshKey != null) {
      // OPAL's one-line form: newlines written as '_' (base64 has none), and a final newline.
      String key = sshKey.replace("_", "\n");
      auth =
          new JsonObject()
              .put("auth_type", "ssh")
              .put("username", "git")
              .put("private_key", key.endsWith("\n") ? key : key + "\n");
    }
    String branch = env.value("OPAL_POLICY_REPO_MAIN_BRANCH");
    JsonObject policy =
        new JsonObject()
            .put("source_type", "git")
            .put("url", url.trim())
            .put("branch", branch != null ? branch.trim() : "master")
            .put("manifest", env.valueOr("OPAL_POLICY_REPO_MANIFEST_PATH", ".manifest"))
            .put("auth", auth);
    if (env.value("OPAL_FILTER_FILE_EXTENSIONS") != null) {
      policy.put("extensions", env.list("OPAL_FILTER_FILE_EXTENSIONS"));
    }
    if (env.value("OPAL_BUNDLE_IGNORE") != null) {
      policy.put("bundle_ignore", env.list("OPAL_BUNDLE_IGNORE"));
    }
    Integer polling = env.integer("OPAL_POLICY_REPO_POLLING_INTERVAL");
    policy.put("poll_updates", polling != null && polling > 0);
    JsonObject config = dataSources.getJsonObject("config");
    JsonArray entries = config == null ? null : config.getJsonArray("entries");
    JsonObject data = new JsonObject().put("entries", entries == null ? new JsonArray() : entries);
    draft.note(
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

  private static int positiveOr(Integer value) {
    return value != null && value > 0 ? value : Integer.MAX_VALUE;
  }
}
