package dev.scopesync.store;

import dev.scopesync.testing.RedisServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** The store contract, on a real redis-server (emptied before each test). */
class RedisScopeStoreConformanceTest extends ScopeStoreConformanceTest {
  private static RedisServer redis;

  @BeforeAll
  static void startRedis() throws Exception {
    redis = RedisServer.launch();
  }

  @AfterAll
  static void stopRedis() throws Exception {
    redis.close();
  }

  @BeforeEach
  void emptyRedis() throws Exception {
    Redis client = Redis.createClient(vertx, redis.url());
    try {
      client.send(Request.cmd(Command.FLUSHALL)).await(30, TimeUnit.SECONDS);
    } finally {
      client.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Override
  protected Future<ScopeStore> openStore(Vertx vertx) {
    return RedisScopeStore.open(vertx, redis.url(), STORED);
  }
}
