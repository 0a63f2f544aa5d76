package dev.scopesync.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  @Test
  void envNamesFollowTheSectionAndCamelCaseRule() {
    assertEquals("SCOPESYNC_HTTP_PORT", ConfigLoader.envName("http", "port"));
    assertEquals("SCOPESYNC_GIT_BASE_DIR", ConfigLoader.envName("git", "baseDir"));
    assertEquals("SCOPESYNC_DEBUG_INTERNAL_STATS", ConfigLoader.envName("debug", "internalStats"));
    assertEquals(
        "SCOPESYNC_GIT_MAX_OPEN_REPOSITORIES", ConfigLoader.envName("git", "maxOpenRepositories"));
  }

  @Test
  void defaultsAreTheDesignedOnes() {
    ServerConfig c = ConfigLoader.load(null, Map.of());
    assertEquals("127.0.0.1", c.httpHost(), "loopback by default: exposing is a decision");
    assertEquals(7002, c.httpPort());
    assertEquals(1_048_576, c.maxBodyBytes());
    assertEquals("file", c.storeType());
    assertEquals(Path.of("./data/scopes"), c.storeDir());
    assertEquals(Path.of("./data/git_sources"), c.gitSourcesDir());
    assertEquals(1, c.cloneShards());
    assertEquals(120, c.gitTimeoutSeconds());
    assertEquals(8, c.gitWorkerPoolSize());
    assertEquals(8, c.syncConcurrency());
    assertEquals(Set.of("https", "http", "ssh", "git"), c.allowedSchemes());
    assertEquals(256, c.maxOpenRepositories());
    assertEquals(0, c.pollingIntervalSeconds());
    assertNull(c.webhookSecret());
    assertEquals(false, c.internalStats());
    assertEquals(false, c.clusterEnabled());
  }

  @Test
  void fileOverridesDefaultsAndEnvOverridesFile() throws Exception {
    Path file = dir.resolve("c.json");
    Files.writeString(
        file, "{\"http\":{\"port\":8000},\"git\":{\"cloneShards\":4,\"baseDir\":\"/srv\"}}");
    ServerConfig c =
        ConfigLoader.load(
            file,
            Map.of(
                "SCOPESYNC_HTTP_PORT", "9000",
                "SCOPESYNC_GIT_ALLOWED_SCHEMES", "https, file",
                "SCOPESYNC_DEBUG_INTERNAL_STATS", "true"));
    assertEquals(9000, c.httpPort());
    assertEquals(4, c.cloneShards());
    assertEquals(Path.of("/srv/git_sources"), c.gitSourcesDir());
    assertEquals(Set.of("https", "file"), c.allowedSchemes());
    assertTrue(c.internalStats());
  }

  @Test
  void confFileCanComeFromTheEnvironment() throws Exception {
    Path file = dir.resolve("c.json");
    Files.writeString(file, "{\"polling\":{\"intervalSeconds\":30}}");
    assertEquals(
        30,
        ConfigLoader.load(null, Map.of("SCOPESYNC_CONF", file.toString()))
            .pollingIntervalSeconds());
  }

  @Test
  void sshDirectoryIsTheUsersDotSshUnlessConfigured() {
    assertEquals(
        Path.of(System.getProperty("user.home"), ".ssh"),
        ConfigLoader.load(null, Map.of()).gitSshDirectory());
    assertEquals(
        Path.of("/etc/scopesync/ssh"),
        ConfigLoader.load(null, Map.of("SCOPESYNC_GIT_SSH_DIRECTORY", "/etc/scopesync/ssh"))
            .gitSshDirectory());
  }

  @Test
  void wrongValuesNameTheirKey() throws Exception {
    assertMessageNames(
        "http.port", () -> ConfigLoader.load(null, Map.of("SCOPESYNC_HTTP_PORT", "seven")));
    assertMessageNames(
        "git.cloneShards",
        () -> ConfigLoader.load(null, Map.of("SCOPESYNC_GIT_CLONE_SHARDS", "0")));
    assertMessageNames(
        "git.allowedSchemes",
        () -> ConfigLoader.load(null, Map.of("SCOPESYNC_GIT_ALLOWED_SCHEMES", "https,ftp")));
    assertMessageNames(
        "debug.internalStats",
        () -> ConfigLoader.load(null, Map.of("SCOPESYNC_DEBUG_INTERNAL_STATS", "yes")));
    Path file = dir.resolve("bad.json");
    Files.writeString(file, "{\"store\":{\"type\":\"mongo\"}}");
    assertMessageNames("store.type", () -> ConfigLoader.load(file, Map.of()));
    Files.writeString(file, "{\"git\":{\"cloneShard\":2}}");
    assertMessageNames("git.cloneShard", () -> ConfigLoader.load(file, Map.of()));
    Files.writeString(file, "{not json");
    assertMessageNames("bad.json", () -> ConfigLoader.load(file, Map.of()));
  }

  @Test
  void clusteringOnTheFileStoreIsRefusedWithTheReason() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> ConfigLoader.load(null, Map.of("SCOPESYNC_CLUSTER_ENABLED", "true")));
    assertTrue(e.getMessage().contains("store.type=redis"), e.getMessage());
  }

  private static void assertMessageNames(
      String key, org.junit.jupiter.api.function.Executable load) {
    ConfigException e = assertThrows(ConfigException.class, load);
    assertTrue(e.getMessage().contains(key), "message should name " + key + ": " + e.getMessage());
  }
}
