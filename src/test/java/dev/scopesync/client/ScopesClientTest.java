package dev.scopesync.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.bus.StatsFields;
import dev.scopesync.testing.TestNode;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The typed client against a real node: pages, the whole list, node-local requests. */
class ScopesClientTest {
  @TempDir Path dir;
  private TestNode node;
  private ScopesClient scopes;

  @BeforeEach
  void start() throws Exception {
    node = TestNode.start(dir);
    scopes = ScopesClient.create(node.vertx);
    for (String id : List.of("c", "a", "b")) {
      scopes
          .put(TestNode.scope(id, "https://127.0.0.1:1/" + id + ".git"), false)
          .await(10, TimeUnit.SECONDS);
    }
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
  }

  private static List<String> ids(List<JsonObject> scopes) {
    return scopes.stream().map(s -> s.getString("scope_id")).toList();
  }

  @Test
  void pagesFollowIdOrderAndNameTheNextOneUntilTheLast() throws Exception {
    ScopePage first = scopes.list(2, null).await(10, TimeUnit.SECONDS);
    assertEquals(List.of("a", "b"), ids(first.scopes()));
    assertEquals("b", first.next());
    ScopePage last = scopes.list(2, first.next()).await(10, TimeUnit.SECONDS);
    assertEquals(List.of("c"), ids(last.scopes()));
    assertNull(last.next());
  }

  @Test
  void listWithoutALimitAnswersEveryScope() throws Exception {
    assertEquals(List.of("a", "b", "c"), ids(scopes.list().await(10, TimeUnit.SECONDS)));
  }

  @Test
  void aLimitOutOfRangeFailsWith422AndTheField() {
    ReplyException refused =
        assertThrows(ReplyException.class, () -> scopes.list(0, null).await(10, TimeUnit.SECONDS));
    assertEquals(422, refused.failureCode());
    assertTrue(refused.getMessage().startsWith("limit:"), refused.getMessage());
  }

  @Test
  void aLocalClientAnswersThisNodesStats() throws Exception {
    JsonObject stats = ScopesClient.local(node.vertx).stats().await(10, TimeUnit.SECONDS);
    assertTrue(stats.fieldNames().containsAll(StatsFields.ALL), stats.encode());
    assertEquals(3, stats.getInteger("scopes"));
  }
}
