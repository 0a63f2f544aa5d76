package dev.scopesync.pubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

final class ScopedDataUpdateTest {
  private static final String UPDATE =
      "{\"id\": null, \"entries\": [{\"url\": \"\", \"config\": null, \"topics\": [\"policy_data/users\"],"
          + " \"dst_path\": \"/users\", \"save_method\": \"PUT\", \"data\": {\"alice\": {\"role\": \"admin\"}}}],"
          + " \"reason\": \"user changed\", \"callback\": {\"callbacks\": []}}";
  private static final List<String> TOPICS =
      List.of("acme:data:policy_data", "acme:data:policy_data/users");

  @Test
  void topicsAreTheScopedExpandedEntryTopics() {
    assertEquals(TOPICS, ScopedDataUpdate.of("acme", new JsonObject(UPDATE)).topics());
  }

  @Test
  void entryTopicsAreScopedAndExpanded() {
    ScopedDataUpdate scoped = ScopedDataUpdate.of("acme", new JsonObject(UPDATE));
    assertEquals("acme", scoped.scopeId());
    assertEquals(
        new JsonArray(TOPICS),
        scoped.update().getJsonArray("entries").getJsonObject(0).getJsonArray("topics"));
  }

  @Test
  void leavesTheGivenUpdateUnchanged() {
    JsonObject update = new JsonObject(UPDATE);
    ScopedDataUpdate.of("acme", update);
    assertEquals(UPDATE, PythonJson.encode(update));
  }

  @Test
  void encodesTheUpdateAsOpalServerWouldSendIt() {
    // json.dumps of the scoped DataUpdate dict
    assertEquals(
        "{\"id\": null, \"entries\": [{\"url\": \"\", \"config\": null,"
            + " \"topics\": [\"acme:data:policy_data\", \"acme:data:policy_data/users\"], \"dst_path\": \"/users\","
            + " \"save_method\": \"PUT\", \"data\": {\"alice\": {\"role\": \"admin\"}}}], \"reason\": \"user changed\","
            + " \"callback\": {\"callbacks\": []}}",
        PythonJson.encode(ScopedDataUpdate.of("acme", new JsonObject(UPDATE)).update()));
  }

  @Test
  void topicsAreTheUnionOverEntriesInFirstSeenOrder() {
    JsonObject update =
        new JsonObject()
            .put(
                "entries",
                new JsonArray()
                    .add(new JsonObject().put("topics", new JsonArray().add("policy_data/users")))
                    .add(new JsonObject().put("url", "x"))
                    .add(new JsonObject().put("topics", new JsonArray().add("data:roles"))));
    assertEquals(
        List.of("acme:data:policy_data", "acme:data:policy_data/users", "acme:data:roles"),
        ScopedDataUpdate.of("acme", update).topics());
  }

  @Test
  void anUpdateWithoutEntriesHasNoTopics() {
    ScopedDataUpdate scoped = ScopedDataUpdate.of("acme", new JsonObject().put("reason", "r"));
    assertEquals(List.of(), scoped.topics());
  }

  @Test
  void eventCarriesScopeTopicsAndUpdate() {
    ScopedDataUpdate scoped = ScopedDataUpdate.of("acme", new JsonObject(UPDATE));
    JsonObject event = scoped.toEvent();
    assertEquals("acme", event.getString("scope_id"));
    assertEquals(new JsonArray(TOPICS), event.getJsonArray("topics"));
    assertEquals(scoped.update(), event.getJsonObject("update"));
  }

  @Test
  void eventRoundTripsThroughFromEvent() {
    ScopedDataUpdate scoped = ScopedDataUpdate.of("acme", new JsonObject(UPDATE));
    assertEquals(scoped, ScopedDataUpdate.fromEvent(scoped.toEvent()));
  }

  @Test
  void eventRoundTripsThroughItsEncodedText() {
    ScopedDataUpdate scoped = ScopedDataUpdate.of("acme", new JsonObject(UPDATE));
    ScopedDataUpdate back = ScopedDataUpdate.fromEvent(new JsonObject(scoped.toEvent().encode()));
    assertEquals(scoped, back);
    assertEquals(PythonJson.encode(scoped.update()), PythonJson.encode(back.update()));
  }

  @Test
  void largestNotifyBytesIsTheNotifyFrameOnTheLongestTopic() {
    ScopedDataUpdate scoped = ScopedDataUpdate.of("acme", new JsonObject(UPDATE));
    String frame =
        RpcFrames.notify(
            RpcFrames.newId(),
            RpcFrames.newId(),
            "acme:data:policy_data/users",
            PythonJson.encode(scoped.update()));
    assertEquals(frame.length(), scoped.largestNotifyBytes());
    // len(json.dumps(the notify frame on "acme:data:policy_data/users" carrying the scoped update))
    assertEquals(558, scoped.largestNotifyBytes());
  }
}
