package dev.scopesync.pubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Expected frames were produced by Python 3.11's {@code json.dumps} and pasted as literals. */
final class RpcFramesTest {
  private static final String HEX32 = "[0-9a-f]{32}";
  private static final String ID = "0123456789abcdef0123456789abcdef";

  private static void assertInvalid(String text, String problem) {
    RpcMessage message = RpcFrames.parse(text);
    assertEquals(new RpcMessage(RpcMessage.Kind.INVALID, null, null, null, problem), message);
  }

  @Test
  void parsesACallWithMethodArgumentsAndCallId() {
    RpcMessage message =
        RpcFrames.parse(
            "{\"request\": {\"method\": \"subscribe\", \"arguments\": {\"topics\": [\"acme:policy:.\"]},"
                + " \"call_id\": \""
                + ID
                + "\"}, \"response\": null}");
    assertEquals(RpcMessage.Kind.CALL, message.kind());
    assertEquals("subscribe", message.method());
    assertEquals(
        new JsonObject().put("topics", new JsonArray().add("acme:policy:.")), message.arguments());
    assertEquals(ID, message.callId());
    assertNull(message.problem());
  }

  @Test
  void readsMissingArgumentsAsAnEmptyObject() {
    RpcMessage message =
        RpcFrames.parse("{\"request\": {\"method\": \"ping\", \"call_id\": \"c1\"}}");
    assertEquals(
        new RpcMessage(RpcMessage.Kind.CALL, "ping", new JsonObject(), "c1", null), message);
  }

  @Test
  void readsNullArgumentsAsAnEmptyObject() {
    RpcMessage message =
        RpcFrames.parse(
            "{\"request\": {\"method\": \"ping\", \"arguments\": null, \"call_id\": \"c1\"}, \"response\": null}");
    assertEquals(
        new RpcMessage(RpcMessage.Kind.CALL, "ping", new JsonObject(), "c1", null), message);
  }

  @Test
  void acceptsACallWithoutCallId() {
    RpcMessage message =
        RpcFrames.parse("{\"request\": {\"method\": \"ping\", \"arguments\": {}}}");
    assertEquals(
        new RpcMessage(RpcMessage.Kind.CALL, "ping", new JsonObject(), null, null), message);
  }

  @Test
  void refusesArgumentsThatAreNotAnObject() {
    assertInvalid(
        "{\"request\": {\"method\": \"ping\", \"arguments\": [1], \"call_id\": \"c1\"}}",
        "request.arguments: must be an object");
    assertInvalid(
        "{\"request\": {\"method\": \"ping\", \"arguments\": \"x\", \"call_id\": \"c1\"}}",
        "request.arguments: must be an object");
  }

  @Test
  void refusesAMethodThatIsNotAString() {
    assertInvalid(
        "{\"request\": {\"method\": 5, \"arguments\": {}, \"call_id\": \"c1\"}}",
        "request.method: must be a string");
    assertInvalid(
        "{\"request\": {\"arguments\": {}, \"call_id\": \"c1\"}}",
        "request.method: must be a string");
    assertInvalid(
        "{\"request\": {\"method\": null, \"arguments\": {}}}", "request.method: must be a string");
  }

  @Test
  void refusesANumericCallId() {
    assertInvalid(
        "{\"request\": {\"method\": \"ping\", \"arguments\": {}, \"call_id\": 7}}",
        "request.call_id: must be a string");
  }

  @Test
  void readsAResponseEnvelopeAsAReply() {
    RpcMessage message =
        RpcFrames.parse(
            "{\"request\": null, \"response\": {\"result\": true, \"result_type\": \"bool\", \"call_id\": \""
                + ID
                + "\"}}");
    assertEquals(new RpcMessage(RpcMessage.Kind.REPLY, null, null, null, null), message);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "[]",
        "\"x\"",
        "1",
        "null",
        "garbage {",
        "",
        "{\"a\": 1}{}",
        "{\"a\": 1} trailing"
      })
  void refusesTextThatIsNotOneJsonObject(String text) {
    assertInvalid(text, "not a JSON object");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{}",
        "{\"request\": null, \"response\": null}",
        "{\"request\": \"x\", \"response\": null}",
        "{\"request\": [], \"response\": {\"result\": 1}}",
        "{\"response\": \"pong\"}"
      })
  void refusesAnEnvelopeWithNeitherRequestNorResponse(String text) {
    assertInvalid(text, "neither a request nor a response");
  }

  @Test
  void writesAStringResponseAsOpalDoes() {
    // json.dumps({"request": None, "response": {"result": "pong", "result_type": "str", "call_id":
    // ID}})
    assertEquals(
        "{\"request\": null, \"response\": {\"result\": \"pong\", \"result_type\": \"str\", \"call_id\": \""
            + ID
            + "\"}}",
        RpcFrames.response("pong", "str", ID));
  }

  @Test
  void writesABooleanResponseAsOpalDoes() {
    assertEquals(
        "{\"request\": null, \"response\": {\"result\": true, \"result_type\": \"bool\", \"call_id\": \""
            + ID
            + "\"}}",
        RpcFrames.response(true, "bool", ID));
  }

  @Test
  void writesANullCallIdAsNull() {
    // json.dumps({"request": None, "response": {"result": True, "result_type": "bool", "call_id":
    // None}})
    assertEquals(
        "{\"request\": null, \"response\": {\"result\": true, \"result_type\": \"bool\", \"call_id\": null}}",
        RpcFrames.response(true, "bool", null));
  }

  @Test
  void writesANotifyCallWithTheSubscriptionAndData() {
    String frame = RpcFrames.notify("sub-1", "client-9", "acme:data:policy_data", "{\"x\": 1}");
    Pattern expected =
        Pattern.compile(
            Pattern.quote(
                    "{\"request\": {\"method\": \"notify\", \"arguments\": {\"subscription\": {\"id\": \"sub-1\","
                        + " \"subscriber_id\": \"client-9\", \"topic\": \"acme:data:policy_data\", \"notifier_id\": null},"
                        + " \"data\": {\"x\": 1}}, \"call_id\": \"")
                + "("
                + HEX32
                + ")"
                + Pattern.quote("\"}, \"response\": null}"));
    assertTrue(expected.matcher(frame).matches(), frame);
  }

  @Test
  void escapesTheTopicOfANotifyLikePython() {
    String frame = RpcFrames.notify(ID, ID, "acme:data:\u00e9", "{\"a\": [1, null]}");
    // json.dumps of the notify envelope, its call_id replaced by the regex
    Pattern expected =
        Pattern.compile(
            Pattern.quote(
                    "{\"request\": {\"method\": \"notify\", \"arguments\": {\"subscription\": {\"id\": \""
                        + ID
                        + "\","
                        + " \"subscriber_id\": \""
                        + ID
                        + "\", \"topic\": \"acme:data:\\u00e9\", \"notifier_id\": null},"
                        + " \"data\": {\"a\": [1, null]}}, \"call_id\": \"")
                + HEX32
                + Pattern.quote("\"}, \"response\": null}"));
    assertTrue(expected.matcher(frame).matches(), frame);
  }

  @Test
  void givesEachNotifyAFreshCallId() {
    Pattern callId = Pattern.compile("\"call_id\": \"(" + HEX32 + ")\"");
    Matcher first = callId.matcher(RpcFrames.notify(ID, ID, "policy:.", "null"));
    Matcher second = callId.matcher(RpcFrames.notify(ID, ID, "policy:.", "null"));
    assertTrue(first.find());
    assertTrue(second.find());
    assertNotEquals(first.group(1), second.group(1));
  }

  @Test
  void newIdIsThirtyTwoLowercaseHexDigits() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String id = RpcFrames.newId();
      assertTrue(id.matches(HEX32), id);
      ids.add(id);
    }
    assertEquals(1000, ids.size());
  }

  @Test
  void newIdDiffersBetweenCalls() {
    assertNotEquals(RpcFrames.newId(), RpcFrames.newId());
  }

  @Test
  void largestNotifySizeIsTheFrameOfTheLongestTopic() {
    List<String> topics = List.of("acme:policy:.", "acme:data:policy_data/users", "acme:data:x");
    String data = PythonJson.encode("x".repeat(1232));
    assertEquals(1234, data.length());
    String actual =
        RpcFrames.notify(RpcFrames.newId(), RpcFrames.newId(), "acme:data:policy_data/users", data);
    assertEquals(actual.length(), RpcFrames.largestNotifySize(topics, 1234));
    // len(json.dumps(the notify frame, 32-hex ids, topic "acme:data:policy_data/users", data "x" *
    // 1232))
    assertEquals(1531, RpcFrames.largestNotifySize(topics, 1234));
  }

  @Test
  void largestNotifySizeMeasuresTopicsAsEscaped() {
    // "acme:data:\u00e9\u00e9" is 12 chars but 22 once escaped; "acme:data:abcdefgh" is 18 either
    // way.
    List<String> topics = List.of("acme:data:abcdefgh", "acme:data:\u00e9\u00e9");
    String data = PythonJson.encode("x".repeat(1232));
    String actual =
        RpcFrames.notify(RpcFrames.newId(), RpcFrames.newId(), "acme:data:\u00e9\u00e9", data);
    // len(json.dumps(the notify frame on "acme:data:\u00e9\u00e9" with data "x" * 1232))
    assertEquals(1526, actual.length());
    assertEquals(1526, RpcFrames.largestNotifySize(topics, 1234));
  }
}
