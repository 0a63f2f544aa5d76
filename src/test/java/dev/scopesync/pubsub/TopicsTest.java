package dev.scopesync.pubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

final class TopicsTest {

  @Test
  void policyTopicsArePrefixedWithTheScope() {
    assertEquals(
        List.of("acme:policy:.", "acme:policy:rbac"),
        Topics.policyTopics("acme", List.of(".", "rbac")));
  }

  @Test
  void policyTopicsOfTheDefaultScopeAreUnscoped() {
    assertEquals(
        List.of("policy:.", "policy:rbac"), Topics.policyTopics("default", List.of(".", "rbac")));
  }

  @Test
  void policyTopicsOfAScopeIdHoldingAColon() {
    assertEquals(List.of("a:b:policy:."), Topics.policyTopics("a:b", List.of(".")));
  }

  @Test
  void dataTopicsExpandEveryPrefixBehindTheScope() {
    assertEquals(
        List.of("acme:data:policy_data", "acme:data:policy_data/users"),
        Topics.dataTopics("acme", "policy_data/users"));
  }

  @Test
  void dataTopicsKeepAnAlreadyScopedTopic() {
    assertEquals(
        List.of("acme:data:policy_data"), Topics.dataTopics("acme", "acme:data:policy_data"));
    assertEquals(
        List.of("acme:data:policy_data", "acme:data:policy_data/users"),
        Topics.dataTopics("acme", "acme:data:policy_data/users"));
  }

  @Test
  void dataTopicsScopeADataPrefixedTopic() {
    assertEquals(List.of("acme:data:policy_data"), Topics.dataTopics("acme", "data:policy_data"));
  }

  @Test
  void dataTopicsOfTheDefaultScopeHavePlainAndDataForms() {
    assertEquals(
        List.of("policy_data", "policy_data/users", "data:policy_data", "data:policy_data/users"),
        Topics.dataTopics("default", "policy_data/users"));
  }

  @Test
  void dataTopicsOfAListAreInFirstSeenOrderWithoutRepeats() {
    assertEquals(
        List.of(
            "acme:data:policy_data", "acme:data:policy_data/users", "acme:data:policy_data/groups"),
        Topics.dataTopics(
            "acme", List.of("policy_data/users", "data:policy_data", "policy_data/groups")));
  }

  /** Inputs and outputs of OPAL's DataUpdatePublisher.get_topic_combos, run with Python 3.11. */
  static Stream<Arguments> opalCombos() {
    return Stream.of(
        Arguments.of("a/b:c/d", List.of("a/b:c", "a/b:c/d")),
        Arguments.of("x", List.of("x")),
        Arguments.of(
            "policy_data/users/keys",
            List.of("policy_data", "policy_data/users", "policy_data/users/keys")),
        Arguments.of(
            "data:policy_data/users", List.of("data:policy_data", "data:policy_data/users")),
        Arguments.of("acme:data:p/q", List.of("acme:data:p", "acme:data:p/q")),
        Arguments.of("a::b/c", List.of("a::b", "a::b/c")),
        Arguments.of("x/", List.of("x", "x/")),
        Arguments.of("/x", List.of("", "/x")),
        Arguments.of("a//b", List.of("a", "a/", "a//b")),
        Arguments.of("a:", List.of("a:")),
        Arguments.of("", List.of("")));
  }

  @ParameterizedTest(name = "\"{0}\"")
  @MethodSource("opalCombos")
  void combosFollowOpalsGetTopicCombos(String topic, List<String> expected) {
    assertEquals(expected, Topics.combos(topic));
  }

  @Test
  void combosDropAnEmptyPrefixAsOpalDoes() {
    // get_topic_combos(":x/y") == ["x", "x/y"]: its `if prefix:` skips the empty prefix.
    assertEquals(List.of("x", "x/y"), Topics.combos(":x/y"));
  }

  @Test
  void scopedEntriesGiveAnEntryWithoutTopicsTheDefaultTopic() {
    JsonArray entries =
        new JsonArray()
            .add(
                new JsonObject()
                    .put("url", "https://api.example.com/users")
                    .put("dst_path", "/users")
                    .put("save_method", "PUT"));
    JsonArray scoped = Topics.scopedEntries("acme", entries);
    assertEquals(
        "[{\"url\": \"https://api.example.com/users\", \"dst_path\": \"/users\", \"save_method\": \"PUT\","
            + " \"topics\": [\"acme:data:policy_data\"]}]",
        PythonJson.encode(scoped));
  }

  @Test
  void scopedEntriesKeepOtherFieldsAndTheirOrder() {
    JsonArray entries =
        new JsonArray()
            .add(
                new JsonObject(
                    "{\"url\": \"\", \"config\": null, \"topics\": [\"policy_data/users\"], \"dst_path\": \"/users\","
                        + " \"save_method\": \"PATCH\", \"data\": {\"alice\": [1, 2.5]}}"));
    JsonArray scoped = Topics.scopedEntries("acme", entries);
    assertEquals(
        "[{\"url\": \"\", \"config\": null, \"topics\": [\"acme:data:policy_data\", \"acme:data:policy_data/users\"],"
            + " \"dst_path\": \"/users\", \"save_method\": \"PATCH\", \"data\": {\"alice\": [1, 2.5]}}]",
        PythonJson.encode(scoped));
  }

  @Test
  void scopedEntriesDoNotModifyTheirInput() {
    JsonArray entries =
        new JsonArray()
            .add(
                new JsonObject()
                    .put("url", "a")
                    .put("topics", new JsonArray().add("policy_data/users")))
            .add(new JsonObject().put("url", "b"));
    String before = PythonJson.encode(entries);
    Topics.scopedEntries("acme", entries);
    assertEquals(
        "[{\"url\": \"a\", \"topics\": [\"policy_data/users\"]}, {\"url\": \"b\"}]", before);
    assertEquals(before, PythonJson.encode(entries));
  }

  @Test
  void scopedEntriesKeepAnEmptyTopicsListEmpty() {
    JsonArray entries =
        new JsonArray().add(new JsonObject().put("url", "a").put("topics", new JsonArray()));
    assertEquals(
        "[{\"url\": \"a\", \"topics\": []}]",
        PythonJson.encode(Topics.scopedEntries("acme", entries)));
  }

  @Test
  void scopedEntriesOfTheDefaultScopeCarryBothForms() {
    JsonArray entries = new JsonArray().add(new JsonObject().put("url", "a"));
    assertEquals(
        "[{\"url\": \"a\", \"topics\": [\"policy_data\", \"data:policy_data\"]}]",
        PythonJson.encode(Topics.scopedEntries("default", entries)));
  }

  @Test
  void scopedDataConfigScopesItsEntriesAndKeepsOtherFields() {
    JsonObject config =
        new JsonObject(
            "{\"entries\": [{\"url\": \"u\", \"topics\": [\"data:policy_data/users\"]}, {\"url\": \"v\"}],"
                + " \"note\": null}");
    String before = PythonJson.encode(config);
    JsonObject scoped = Topics.scopedDataConfig("acme", config);
    assertEquals(
        "{\"entries\": [{\"url\": \"u\", \"topics\": [\"acme:data:policy_data\", \"acme:data:policy_data/users\"]},"
            + " {\"url\": \"v\", \"topics\": [\"acme:data:policy_data\"]}], \"note\": null}",
        PythonJson.encode(scoped));
    assertEquals(before, PythonJson.encode(config));
  }

  @Test
  void scopedDataConfigWithoutEntriesIsAnEqualCopy() {
    JsonObject config =
        new JsonObject().put("external_source_url", "https://example.com/config").putNull("x");
    JsonObject scoped = Topics.scopedDataConfig("acme", config);
    assertEquals(
        "{\"external_source_url\": \"https://example.com/config\", \"x\": null}",
        PythonJson.encode(scoped));
    scoped.put("x", 1);
    assertEquals(
        "{\"external_source_url\": \"https://example.com/config\", \"x\": null}",
        PythonJson.encode(config));
  }
}
