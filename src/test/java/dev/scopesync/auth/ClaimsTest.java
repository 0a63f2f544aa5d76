package dev.scopesync.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ClaimsTest {
  private static final Object ABSENT = new Object();

  private static Claims claims(String claim, Object value) {
    JsonObject payload = new JsonObject().put("sub", "3f1c2a9e8d7b4c6a9e0f1a2b3c4d5e6f");
    if (value != ABSENT) {
      payload.put(claim, value);
    }
    return Claims.fromPayload(payload);
  }

  /** null detail: allowed. */
  static Stream<Arguments> peerTypes() {
    return Stream.of(
        Arguments.of("a datasource", "datasource", null),
        Arguments.of(
            "a client",
            "client",
            "Incorrect 'peer_type' claim for OPAL jwt token: client, expected: datasource"),
        Arguments.of(
            "a listener",
            "listener",
            "Incorrect 'peer_type' claim for OPAL jwt token: listener, expected: datasource"),
        Arguments.of("no peer_type", ABSENT, "Missing 'peer_type' claim for OPAL jwt token"),
        Arguments.of("a null peer_type", null, "Missing 'peer_type' claim for OPAL jwt token"),
        Arguments.of(
            "an unknown peer_type", "admin", "Invalid 'peer_type' claim for OPAL jwt token: admin"),
        Arguments.of(
            "datasource in other case",
            "Datasource",
            "Invalid 'peer_type' claim for OPAL jwt token: Datasource"),
        Arguments.of("a numeric peer_type", 1, "Invalid 'peer_type' claim for OPAL jwt token: 1"),
        Arguments.of(
            "a list holding datasource",
            new JsonArray().add("datasource"),
            "Invalid 'peer_type' claim for OPAL jwt token: [\"datasource\"]"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("peerTypes")
  void onlyADatasourceManagesScopes(String behaviour, Object peerType, String detail) {
    Claims claims = claims("peer_type", peerType);
    if (detail == null) {
      claims.requireDatasource();
      return;
    }
    AuthFailure failure = assertThrows(AuthFailure.class, claims::requireDatasource);
    assertEquals(403, failure.status());
    assertEquals(detail, failure.getMessage());
  }

  static Stream<Arguments> scopes() {
    JsonArray twoScopes = new JsonArray().add("tenant-1").add("tenant-2");
    return Stream.of(
        Arguments.of("a listed scope", twoScopes, "tenant-1", true),
        Arguments.of("the other listed scope", twoScopes, "tenant-2", true),
        Arguments.of("an unlisted scope", twoScopes, "tenant-3", false),
        Arguments.of("a prefix of a listed scope", twoScopes, "tenant-", false),
        Arguments.of("a listed scope in other case", twoScopes, "TENANT-1", false),
        Arguments.of("the default scope when only a tenant is listed", twoScopes, "default", false),
        Arguments.of("any scope without the claim (OPAL denies)", ABSENT, "tenant-1", false),
        Arguments.of("any scope with an empty list", new JsonArray(), "tenant-1", false),
        Arguments.of("any scope with a null claim", null, "tenant-1", false),
        Arguments.of(
            "a substring of a string claim (no Python `in` quirk)",
            "tenant-1,tenant-2",
            "tenant-1",
            false),
        Arguments.of("the whole of a string claim", "tenant-1", "tenant-1", false),
        Arguments.of("a wildcard is no wildcard", new JsonArray().add("*"), "tenant-1", false),
        Arguments.of("a number is no scope id", new JsonArray().add(1), "1", false),
        Arguments.of("a null scope id", twoScopes, null, false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scopes")
  void aScopeIsReadOnlyWhenListedInAllowedScopes(
      String behaviour, Object allowedScopes, String scopeId, boolean allowed) {
    Claims claims = claims("allowed_scopes", allowedScopes);
    if (allowed) {
      claims.requireScope(scopeId);
      return;
    }
    AuthFailure failure = assertThrows(AuthFailure.class, () -> claims.requireScope(scopeId));
    assertEquals(403, failure.status());
    assertEquals(
        "Not allowed to access scope "
            + scopeId
            + ": it is not in the token's 'allowed_scopes' claim",
        failure.getMessage());
  }

  /** null refused: allowed. */
  static Stream<Arguments> topics() {
    JsonArray permitted = new JsonArray().add("policy_data").add("tenants");
    return Stream.of(
        Arguments.of("any topic without the claim", ABSENT, List.of("anything", "else"), null),
        Arguments.of("a permitted topic", permitted, List.of("policy_data"), null),
        Arguments.of("all permitted topics", permitted, List.of("tenants", "policy_data"), null),
        Arguments.of("no topics at all", permitted, List.of(), null),
        Arguments.of("a null topic list", permitted, null, null),
        Arguments.of(
            "one topic beyond the permitted",
            permitted,
            List.of("policy_data", "billing"),
            "[billing]"),
        Arguments.of(
            "each refused topic once, in order",
            permitted,
            List.of("b", "policy_data", "a", "b"),
            "[b, a]"),
        Arguments.of(
            "the data: prefix OPAL adds later",
            permitted,
            List.of("data:policy_data"),
            "[data:policy_data]"),
        Arguments.of(
            "a topic with an empty list", new JsonArray(), List.of("policy_data"), "[policy_data]"),
        Arguments.of("no topics with an empty list", new JsonArray(), List.of(), null),
        Arguments.of("a topic with a null claim", null, List.of("policy_data"), "[policy_data]"),
        Arguments.of(
            "a topic with a string claim", "policy_data", List.of("policy_data"), "[policy_data]"),
        Arguments.of("a null topic", permitted, Arrays.asList("policy_data", null), "[null]"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("topics")
  void publishedTopicsMustBePermitted(
      String behaviour, Object permittedTopics, List<String> topics, String refused) {
    Claims claims = claims("permitted_topics", permittedTopics);
    if (refused == null) {
      claims.requireTopics(topics);
      return;
    }
    AuthFailure failure = assertThrows(AuthFailure.class, () -> claims.requireTopics(topics));
    assertEquals(403, failure.status());
    assertEquals("Invalid 'topics' to publish " + refused, failure.getMessage());
  }

  @Test
  void claimsReadFromAPayload() {
    JsonObject payload =
        new JsonObject()
            .put("peer_type", "client")
            .put("allowed_scopes", new JsonArray().add("tenant-1").add(7).add("tenant-2"))
            .put("permitted_topics", new JsonArray().add("policy_data"));
    Claims claims = Claims.fromPayload(payload);
    assertEquals("client", claims.peerType());
    assertEquals(List.of("tenant-1", "tenant-2"), claims.allowedScopes());
    assertEquals(List.of("policy_data"), claims.permittedTopics());
    assertTrue(claims.enforced());
    Claims none = Claims.fromPayload(new JsonObject());
    assertNull(none.peerType());
    assertNull(none.allowedScopes());
    assertNull(none.permittedTopics());
  }

  @Test
  void claimsAreImmutable() {
    JsonObject payload = new JsonObject().put("peer_type", "client");
    List<String> scopes = new ArrayList<>(List.of("tenant-1"));
    Claims claims = new Claims("client", scopes, null, payload);
    payload.put("peer_type", "datasource");
    scopes.add("tenant-2");
    claims.raw().put("peer_type", "datasource");
    assertEquals("client", claims.raw().getString("peer_type"));
    assertEquals(List.of("tenant-1"), claims.allowedScopes());
    assertThrows(UnsupportedOperationException.class, () -> claims.allowedScopes().add("tenant-3"));
    assertThrows(AuthFailure.class, () -> claims.requireScope("tenant-2"));
  }

  @Test
  void unrestrictedClaimsPassEveryCheck() {
    Claims claims = Claims.unrestricted();
    assertFalse(claims.enforced());
    claims.requireDatasource();
    claims.requireScope("tenant-1");
    claims.requireScope(null);
    claims.requireTopics(List.of("anything"));
  }

  @Test
  void enforcedClaimsWithNothingInThemPassNoCheckButTopics() {
    Claims claims = new Claims(null, null, null, null);
    assertThrows(AuthFailure.class, claims::requireDatasource);
    assertThrows(AuthFailure.class, () -> claims.requireScope("tenant-1"));
    claims.requireTopics(List.of("anything"));
    assertEquals(new JsonObject(), claims.raw());
  }
}
