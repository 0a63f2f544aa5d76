package dev.scopesync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.bus.Addresses;
import dev.scopesync.bus.StatsFields;
import dev.scopesync.testing.TestNode;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scopesync.scopes.* addresses: replies, and failures coded with the HTTP status. */
class EventBusApiTest {
  @TempDir Path dir;
  private TestNode node;

  @BeforeEach
  void start() throws Exception {
    node = TestNode.start(dir);
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
  }

  private JsonObject ask(String address, Object body) throws Exception {
    return node.vertx
        .eventBus()
        .<JsonObject>request(address, body)
        .await(10, TimeUnit.SECONDS)
        .body();
  }

  private ReplyException failure(String address, Object body) {
    try {
      ask(address, body);
    } catch (ReplyException e) {
      return e;
    } catch (Exception e) {
      throw new AssertionError("expected a ReplyException, got " + e, e);
    }
    throw new AssertionError("expected " + address + " to fail");
  }

  @Test
  void putGetListDeleteOverTheBus() throws Exception {
    JsonObject scope = TestNode.scope("bus", "https://127.0.0.1:1/x.git");
    assertEquals(new JsonObject(), ask(Addresses.SCOPES_PUT, new JsonObject().put("scope", scope)));
    assertEquals(
        "bus",
        ask(Addresses.SCOPES_GET, new JsonObject().put("scope_id", "bus")).getString("scope_id"));
    assertEquals(1, ask(Addresses.SCOPES_LIST, new JsonObject()).getJsonArray("scopes").size());
    assertEquals(
        new JsonObject(), ask(Addresses.SCOPES_REFRESH, new JsonObject().put("scope_id", "bus")));
    assertEquals(
        new JsonObject(), ask(Addresses.SCOPES_DELETE, new JsonObject().put("scope_id", "bus")));
    assertEquals(0, ask(Addresses.SCOPES_LIST, new JsonObject()).getJsonArray("scopes").size());
    JsonObject stats = ask(Addresses.STATS, new JsonObject());
    assertTrue(stats.fieldNames().containsAll(StatsFields.ALL), stats.encode());
  }

  @Test
  void failuresCarryTheHttpStatusAndTheDetail() {
    ReplyException missing =
        failure(Addresses.SCOPES_GET, new JsonObject().put("scope_id", "nope"));
    assertEquals(404, missing.failureCode());
    assertEquals("No such scope: nope", missing.getMessage());

    ReplyException invalid =
        failure(
            Addresses.SCOPES_PUT,
            new JsonObject().put("scope", TestNode.scope("a/b", "https://h/r.git")));
    assertEquals(422, invalid.failureCode());
    assertTrue(invalid.getMessage().startsWith("scope_id"), invalid.getMessage());

    ReplyException wrongType =
        failure(
            Addresses.SCOPES_PUT,
            new JsonObject()
                .put("scope", TestNode.scope("a", "https://h/r.git"))
                .put("force_fetch", "yes"));
    assertEquals(422, wrongType.failureCode());

    ReplyException notJson = failure(Addresses.SCOPES_GET, "scope please");
    assertEquals(400, notJson.failureCode());

    ReplyException noId = failure(Addresses.SCOPES_DELETE, new JsonObject());
    assertEquals(422, noId.failureCode());
  }
}
