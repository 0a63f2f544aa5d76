package dev.scopesync.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The cluster.* sharding keys: defaults, environment, and refusals that name the key. */
class ShardSettingsTest {
  private static ServerConfig with(Consumer<JsonObject> cluster) {
    JsonObject json = ConfigKeys.defaults();
    cluster.accept(json.getJsonObject("cluster"));
    return ServerConfig.from(json);
  }

  @Test
  void theDefaultsKeepEveryNodeCloningEverySource() {
    ShardSettings shard = ServerConfig.defaults().shard();
    assertEquals(new ShardSettings(0, null, 1, 3000, 2000, 600, 0, 1), shard);
    assertFalse(shard.sharded());
  }

  @Test
  void environmentVariablesSetTheKeys() {
    Map<String, String> env =
        Map.of(
            "SCOPESYNC_CLUSTER_NODE_NAME", "fetcher-1", "SCOPESYNC_CLUSTER_SETTLE_MILLIS", "500");
    ServerConfig config = ConfigLoader.load(null, env);
    assertEquals("fetcher-1", config.shard().nodeName());
    assertEquals(500, config.shard().settleMillis());
  }

  @Test
  void badValuesAreRefusedNamingTheKey() {
    assertEquals(
        "config key 'cluster.nodeName' must be 1 to 64 letters, digits, '.', '_' or '-', got 'a b'",
        assertThrows(ConfigException.class, () -> with(c -> c.put("nodeName", "a b")))
            .getMessage());
    assertEquals(
        "config key 'cluster.weight' must be an integer from 0 to 1000, got 1.5 (a Double)",
        assertThrows(ConfigException.class, () -> with(c -> c.put("weight", 1.5))).getMessage());
    assertEquals(
        "config key 'cluster.replicas' must be an integer from 0 to 64, got -1",
        assertThrows(ConfigException.class, () -> with(c -> c.put("replicas", -1))).getMessage());
  }

  @Test
  void replicasAboveZeroTurnShardingOn() {
    ShardSettings shard = with(c -> c.put("replicas", 2)).shard();
    assertEquals(2, shard.replicas());
    assertTrue(shard.sharded());
  }
}
