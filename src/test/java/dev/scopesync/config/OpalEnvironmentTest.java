package dev.scopesync.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * OPAL's environment read as configuration (DESIGN §17): each variable's mapping, the precedence
 * (defaults &lt; OPAL_* &lt; file &lt; SCOPESYNC_*), the WARN naming what is not supported, and a
 * refusal to start, naming the variable, for what cannot be read.
 */
class OpalEnvironmentTest {
  @TempDir Path dir;

  private static ServerConfig load(Map<String, String> env) {
    return ConfigLoader.load(null, env);
  }

  private static List<String> warnings(ServerConfig config) {
    return config.notes().stream().filter(ConfigNote::warning).map(ConfigNote::text).toList();
  }

  private static List<String> infos(ServerConfig config) {
    return config.notes().stream().filter(n -> !n.warning()).map(ConfigNote::text).toList();
  }

  @Test
  void withoutOpalVariablesNothingChanges() {
    ServerConfig config = load(Map.of("PATH", "/usr/bin"));
    assertEquals(ServerConfig.defaults(), config);
    assertTrue(config.notes().isEmpty());
    assertTrue(config.opal().allowedOrigins().isEmpty(), "no CORS unless asked");
    assertNull(config.opal().dataConfigSources());
  }

  @Test
  void theBasicExampleDeploymentBecomesTheDefaultScopeWithOpalsDataConfig() {
    ServerConfig config =
        load(
            Map.of(
                "OPAL_BROADCAST_URI",
                    "postgres://postgres:postgres@broadcast_channel:5432/postgres",
                "UVICORN_NUM_WORKERS", "4",
                "OPAL_POLICY_REPO_URL", "https://github.com/permitio/opal-example-policy-repo",
                "OPAL_POLICY_REPO_POLLING_INTERVAL", "30",
                "OPAL_DATA_CONFIG_SOURCES",
                    "{\"config\":{\"entries\":[{\"url\":\"http://opal_server:7002/policy-data\","
                        + "\"topics\":[\"policy_data\"],\"dst_path\":\"/static\"}]}}",
                "OPAL_LOG_FORMAT_INCLUDE_PID", "true"));
    assertEquals(1, config.opal().ownedScopes().size());
    JsonObject scope = config.opal().ownedScopes().getJsonObject(0);
    assertEquals("default", scope.getString("scope_id"));
    JsonObject policy = scope.getJsonObject("policy");
    assertEquals("https://github.com/permitio/opal-example-policy-repo", policy.getString("url"));
    assertEquals("master", policy.getString("branch"), "OPAL's POLICY_REPO_MAIN_BRANCH default");
    assertEquals(true, policy.getBoolean("poll_updates"));
    assertEquals(30, config.pollingIntervalSeconds());
    assertEquals(
        "/static",
        scope.getJsonObject("data").getJsonArray("entries").getJsonObject(0).getString("dst_path"));
    assertEquals(
        "http://opal_server:7002/policy-data",
        config
            .opal()
            .dataConfigSources()
            .getJsonObject("config")
            .getJsonArray("entries")
            .getJsonObject(0)
            .getString("url"));
    assertEquals(
        List.of("*"),
        config.opal().allowedOrigins(),
        "OPAL's default origins in an OPAL deployment");
    assertTrue(
        warnings(config).stream().anyMatch(w -> w.startsWith("OPAL_BROADCAST_URI is not used")),
        warnings(config).toString());
    assertTrue(
        warnings(config).stream()
            .anyMatch(w -> w.startsWith("not supported, ignored: OPAL_LOG_FORMAT_INCLUDE_PID")),
        warnings(config).toString());
    assertEquals("file", config.storeType());
  }

  @Test
  void theScopesExampleKeepsScopesInRedisUnderOpalsBaseDir() {
    ServerConfig config =
        load(
            Map.of(
                "OPAL_REDIS_URL",
                "redis://redis:6379",
                "OPAL_SCOPES",
                "1",
                "OPAL_POLICY_REFRESH_INTERVAL",
                "30",
                "OPAL_BASE_DIR",
                "/opal"));
    assertEquals("redis", config.storeType());
    assertEquals("redis://redis:6379", config.redisUrl());
    assertEquals(Path.of("/opal"), config.gitBaseDir());
    assertEquals(Path.of("/opal/git_sources"), config.gitSourcesDir());
    assertEquals(30, config.pollingIntervalSeconds());
    assertTrue(config.opal().ownedScopes().isEmpty(), "no POLICY_REPO_URL, no default scope");
    assertEquals(
        "redis://localhost",
        load(Map.of("OPAL_SCOPES", "TRUE")).redisUrl(),
        "OPAL's default Redis");
  }

  @Test
  void theSecurityExampleTurnsAuthOnAndMintsTokens() {
    ServerConfig config =
        load(
            Map.of(
                "OPAL_AUTH_PUBLIC_KEY",
                "ssh-rsa AAAA",
                "OPAL_AUTH_PRIVATE_KEY",
                "-----BEGIN…",
                "OPAL_AUTH_PRIVATE_KEY_PASSPHRASE",
                "pass",
                "OPAL_AUTH_MASTER_TOKEN",
                "master",
                "OPAL_AUTH_JWT_AUDIENCE",
                "https://api.opal.ac/v1/",
                "OPAL_AUTH_JWT_ISSUER",
                "https://opal.ac/"));
    assertEquals("ssh-rsa AAAA", config.authPublicKey());
    assertEquals("-----BEGIN…", config.opal().privateKey());
    assertEquals("pass", config.opal().privateKeyPassphrase());
    assertEquals("master", config.opal().masterToken());
    assertFalse(
        config.toString().contains("master") || config.opal().toString().contains("pass"),
        "no secret in toString");
  }

  @Test
  void rateLimitingAndWebhookParamsAreRead() {
    ServerConfig config =
        load(
            Map.of(
                "OPAL_CLIENT_LOAD_LIMIT_NOTATION",
                "1/minute",
                "OPAL_POLICY_REPO_WEBHOOK_SECRET",
                "s3cret",
                "OPAL_POLICY_REPO_WEBHOOK_PARAMS",
                "{\"secret_header_name\": \"x-gitlab-token\", \"secret_type\": \"token\","
                    + " \"secret_parsing_regex\": \"(.*)\", \"event_header_name\": \"X-Gitlab-Event\", \"push_event_value\": \"Push Hook\"}"));
    assertEquals(List.of(new RateNotation.Rate(1, 60)), config.opal().clientLoadLimit().rates());
    assertEquals("s3cret", config.webhookSecret());
    assertEquals("x-gitlab-token", config.opal().webhookParams().secretHeaderName());
    assertFalse(config.opal().webhookParams().signature());
  }

  @Test
  void opalVariablesAreBelowTheFileAndScopesyncVariablesWithOneInfoLineEach() throws IOException {
    Path file = dir.resolve("c.json");
    Files.writeString(file, "{\"http\": {\"port\": 7100}}");
    Map<String, String> env =
        new HashMap<>(
            Map.of(
                "OPAL_SERVER_BIND_PORT",
                "7200",
                "OPAL_SERVER_HOST",
                "0.0.0.0",
                "OPAL_BASE_DIR",
                "/opal",
                "SCOPESYNC_GIT_BASE_DIR",
                "/srv/scopesync"));
    ServerConfig config = ConfigLoader.load(file, env);
    assertEquals(7100, config.httpPort());
    assertEquals("0.0.0.0", config.httpHost());
    assertEquals(Path.of("/srv/scopesync"), config.gitBaseDir());
    assertTrue(
        infos(config).contains("config file key 'http.port' overrides OPAL_SERVER_BIND_PORT"),
        infos(config).toString());
    assertTrue(
        infos(config).contains("SCOPESYNC_GIT_BASE_DIR overrides OPAL_BASE_DIR (git.baseDir)"),
        infos(config).toString());
  }

  @Test
  void legacyServerPortIsUsedOnlyWhenItIsANumber() {
    assertEquals(
        7300, load(Map.of("OPAL_SERVER_PORT", "7300", "OPAL_SERVER_BIND_PORT", "7200")).httpPort());
    ServerConfig k8s =
        load(Map.of("OPAL_SERVER_PORT", "tcp://10.0.0.1:7002", "OPAL_SERVER_BIND_PORT", "7200"));
    assertEquals(7200, k8s.httpPort());
    assertTrue(infos(k8s).stream().anyMatch(i -> i.contains("not a port number")));
  }

  @Test
  void cloneTimeoutZeroKeepsTheHardLimit() {
    ServerConfig config = load(Map.of("OPAL_POLICY_REPO_CLONE_TIMEOUT", "0"));
    assertEquals(120, config.gitTimeoutSeconds());
    assertTrue(infos(config).stream().anyMatch(i -> i.contains("keeps its hard limit")));
    assertEquals(45, load(Map.of("OPAL_POLICY_REPO_CLONE_TIMEOUT", "45")).gitTimeoutSeconds());
  }

  @Test
  void theDefaultScopeTakesTheRepoVariables() {
    ServerConfig config =
        load(
            Map.of(
                "OPAL_POLICY_REPO_URL",
                "git@github.com:org/policy.git",
                "OPAL_POLICY_REPO_MAIN_BRANCH",
                "main",
                "OPAL_POLICY_REPO_SSH_KEY",
                "-----BEGIN OPENSSH PRIVATE KEY-----_b3BlbnNzaC1rZXk=_-----END OPENSSH PRIVATE KEY-----",
                "OPAL_POLICY_REPO_MANIFEST_PATH",
                "policies/.manifest",
                "OPAL_FILTER_FILE_EXTENSIONS",
                ".rego, .json",
                "OPAL_BUNDLE_IGNORE",
                "tests/**,docs/**"));
    JsonObject policy = config.opal().ownedScopes().getJsonObject(0).getJsonObject("policy");
    assertEquals("main", policy.getString("branch"));
    assertEquals("policies/.manifest", policy.getString("manifest"));
    assertEquals(List.of(".rego", ".json"), policy.getJsonArray("extensions").getList());
    assertEquals(List.of("tests/**", "docs/**"), policy.getJsonArray("bundle_ignore").getList());
    assertEquals(false, policy.getBoolean("poll_updates"));
    JsonObject auth = policy.getJsonObject("auth");
    assertEquals("ssh", auth.getString("auth_type"));
    assertEquals("git", auth.getString("username"));
    assertEquals(
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk=\n-----END OPENSSH PRIVATE KEY-----\n",
        auth.getString("private_key"));
  }

  @Test
  void booleansAreReadAsOpalReadsThemAndAnythingElseStopsTheStart() {
    for (String yes : List.of("1", "true", "TRUE", "yes", "On")) {
      assertEquals("redis", load(Map.of("OPAL_SCOPES", yes)).storeType(), yes);
    }
    for (String no : List.of("0", "false", "No", "off")) {
      assertEquals("file", load(Map.of("OPAL_SCOPES", no)).storeType(), no);
    }
    ConfigException e =
        assertThrows(ConfigException.class, () -> load(Map.of("OPAL_SCOPES", "maybe")));
    assertTrue(e.getMessage().startsWith("OPAL_SCOPES must be a boolean"), e.getMessage());
  }

  static Stream<Arguments> unreadable() {
    return Stream.of(
        Arguments.of(
            "OPAL_DATA_CONFIG_SOURCES",
            "{\"config\": ",
            "OPAL_DATA_CONFIG_SOURCES is not a JSON object"),
        Arguments.of(
            "OPAL_DATA_CONFIG_SOURCES",
            "{}",
            "OPAL_DATA_CONFIG_SOURCES: one of 'config' and 'external_source_url'"),
        Arguments.of(
            "OPAL_DATA_CONFIG_SOURCES",
            "{\"config\": {\"entries\": [{\"topics\": []}]}}",
            "OPAL_DATA_CONFIG_SOURCES: config.entries[0].url"),
        Arguments.of(
            "OPAL_DATA_CONFIG_SOURCES",
            "{\"external_source_url\": \"ftp://x\"}",
            "OPAL_DATA_CONFIG_SOURCES: external_source_url"),
        Arguments.of(
            "OPAL_POLICY_REPO_WEBHOOK_PARAMS",
            "[1]",
            "OPAL_POLICY_REPO_WEBHOOK_PARAMS is not a JSON object"),
        Arguments.of(
            "OPAL_POLICY_REPO_WEBHOOK_PARAMS",
            "{\"secret_type\": \"token\"}",
            "OPAL_POLICY_REPO_WEBHOOK_PARAMS: secret_parsing_regex: field required"),
        Arguments.of(
            "OPAL_POLICY_REPO_WEBHOOK_PARAMS",
            "{\"secret_header_name\": \"h\", \"secret_type\": \"hmac\","
                + " \"secret_parsing_regex\": \"(.*)\", \"push_event_value\": \"push\"}",
            "OPAL_POLICY_REPO_WEBHOOK_PARAMS: secret_type"),
        Arguments.of(
            "OPAL_CLIENT_LOAD_LIMIT_NOTATION",
            "lots",
            "OPAL_CLIENT_LOAD_LIMIT_NOTATION: 'lots' is not a rate"),
        Arguments.of(
            "OPAL_CLIENT_LOAD_LIMIT_NOTATION",
            "0/second",
            "OPAL_CLIENT_LOAD_LIMIT_NOTATION: '0/second'"),
        Arguments.of(
            "OPAL_AUTH_PUBLIC_KEY_FORMAT",
            "der",
            "OPAL_AUTH_PUBLIC_KEY_FORMAT='der' is not a key format"),
        Arguments.of(
            "OPAL_AUTH_PRIVATE_KEY_FORMAT",
            "jwk",
            "OPAL_AUTH_PRIVATE_KEY_FORMAT='jwk' is not a key format"),
        Arguments.of(
            "OPAL_POLICY_SOURCE_TYPE", "API", "OPAL_POLICY_SOURCE_TYPE='API' is not supported"),
        Arguments.of("OPAL_SERVER_BIND_PORT", "70o2", "OPAL_SERVER_BIND_PORT must be an integer"),
        Arguments.of("OPAL_LOG_LEVEL", "LOUD", "config key 'log.level' must be one of"));
  }

  @ParameterizedTest(name = "{0}={1} stops the start")
  @MethodSource("unreadable")
  void whatCannotBeReadStopsTheStartNamingTheVariable(String name, String value, String message) {
    ConfigException e = assertThrows(ConfigException.class, () -> load(Map.of(name, value)));
    assertTrue(e.getMessage().startsWith(message), e.getMessage());
  }

  @Test
  void movedRoutesAreNamedInTheWarning() {
    ServerConfig config =
        load(Map.of("OPAL_ALL_DATA_ROUTE", "/all-data", "OPAL_DATA_CONFIG_ROUTE", "/data/config"));
    assertEquals(
        List.of(
            "OPAL_ALL_DATA_ROUTE='/all-data' is not supported: the route is always /policy-data"),
        warnings(config));
  }

  @Test
  void everyUnsupportedOrUnknownOpalVariableIsNamedInOneWarning() {
    ServerConfig config =
        load(
            Map.of(
                "OPAL_POLICY_BUNDLE_URL",
                "x",
                "OPAL_NOT_A_THING",
                "y",
                "OPAL_LOG_LEVEL",
                "debug",
                "OPAL_STATISTICS_ENABLED",
                "true",
                "OPAL_LOG_SERIALIZE",
                "1"));
    assertEquals(
        List.of(
            "not supported, ignored: OPAL_NOT_A_THING, OPAL_POLICY_BUNDLE_URL (the README's"
                + " \"Migrating from OPAL\" says why for each)"),
        warnings(config));
    assertEquals("DEBUG", config.logLevel());
    assertTrue(config.logJson());
    assertTrue(config.opal().statistics());
  }

  @Test
  void bothPollingIntervalsShareOneTimerAtTheShorter() {
    ServerConfig config =
        load(
            Map.of(
                "OPAL_POLICY_REFRESH_INTERVAL",
                "60",
                "OPAL_POLICY_REPO_POLLING_INTERVAL",
                "20",
                "OPAL_POLICY_REPO_URL",
                "https://h/r.git"));
    assertEquals(20, config.pollingIntervalSeconds());
    assertTrue(infos(config).stream().anyMatch(i -> i.contains("one poll timer serves both")));
  }

  @Test
  void opalsDefaultDataConfigPointsAtItsOwnPolicyDataRoute() {
    JsonObject sources = load(Map.of("OPAL_SCOPES", "0")).opal().dataConfigSources();
    JsonObject entry = sources.getJsonObject("config").getJsonArray("entries").getJsonObject(0);
    assertEquals("http://localhost:7002/policy-data", entry.getString("url"));
    assertEquals(List.of("policy_data"), entry.getJsonArray("topics").getList());
    JsonObject moved =
        load(Map.of(
                "OPAL_ALL_DATA_URL", "http://opal:7002/policy-data", "OPAL_ALL_DATA_TOPIC", "all"))
            .opal()
            .dataConfigSources()
            .getJsonObject("config")
            .getJsonArray("entries")
            .getJsonObject(0);
    assertEquals("http://opal:7002/policy-data", moved.getString("url"));
    assertEquals(List.of("all"), moved.getJsonArray("topics").getList());
  }
}
