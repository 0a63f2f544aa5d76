package dev.scopesync.pubsub;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.auth.Claims;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class TopicAccessTest {
  private static final Claims ACME = scopes(List.of("acme"));

  private static Claims scopes(List<String> allowedScopes) {
    return new Claims("client", allowedScopes, null, new JsonObject().put("peer_type", "client"));
  }

  private static Claims scopesAndTopics(List<String> allowedScopes, List<String> permittedTopics) {
    return new Claims(
        "client", allowedScopes, permittedTopics, new JsonObject().put("peer_type", "client"));
  }

  @Test
  void unrestrictedClaimsPermitEveryTopic() {
    assertTrue(
        TopicAccess.permitsAll(
            Claims.unrestricted(),
            List.of("acme:policy:.", "other:data:x", "policy:.", "policy:policy:.", "anything")));
  }

  @Test
  void allowedScopePermitsItsPolicyAndDataTopics() {
    assertTrue(TopicAccess.permitsAll(ACME, List.of("acme:policy:.")));
    assertTrue(TopicAccess.permitsAll(ACME, List.of("acme:data:policy_data")));
    assertTrue(
        TopicAccess.permitsAll(ACME, List.of("acme:policy:.", "acme:data:policy_data/users")));
  }

  @Test
  void otherScopesTopicsAreRefused() {
    assertFalse(TopicAccess.permitsAll(ACME, List.of("other:policy:.")));
    assertFalse(TopicAccess.permitsAll(ACME, List.of("other:data:x")));
  }

  @Test
  void aScopeIdWithAColonIsMatchedWhole() {
    Claims claims = scopes(List.of("a:b"));
    assertTrue(TopicAccess.permitsAll(claims, List.of("a:b:policy:.", "a:b:data:policy_data")));
    assertFalse(TopicAccess.permitsAll(scopes(List.of("b")), List.of("a:b:policy:.")));
    assertFalse(TopicAccess.permitsAll(scopes(List.of("a")), List.of("a:b:data:policy_data")));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"policy:.", "policy:rbac", "policy_data", "policy_data/users", "data:policy_data"})
  void unscopedTopicsArePermittedWithAnyEnforcedClaims(String topic) {
    assertTrue(TopicAccess.permitsAll(ACME, List.of(topic)));
    assertTrue(TopicAccess.permitsAll(scopes(List.of()), List.of(topic)));
    assertTrue(TopicAccess.permitsAll(scopes(null), List.of(topic)));
  }

  @Test
  void aPolicyTopicOfAScopeNamedPolicyNeedsThatScope() {
    assertFalse(TopicAccess.permitsAll(ACME, List.of("policy:policy:.")));
    assertFalse(TopicAccess.permitsAll(scopes(null), List.of("policy:policy:.")));
    assertTrue(TopicAccess.permitsAll(scopes(List.of("policy")), List.of("policy:policy:.")));
  }

  @Test
  void noAllowedScopesRefusesEveryScopedTopic() {
    assertFalse(TopicAccess.permitsAll(scopes(null), List.of("acme:policy:.")));
    assertFalse(TopicAccess.permitsAll(scopes(List.of()), List.of("acme:data:policy_data")));
  }

  @Test
  void permittedTopicsRestrictToTheListedTopics() {
    Claims claims =
        scopesAndTopics(List.of("acme"), List.of("acme:data:policy_data", "policy_data"));
    assertTrue(TopicAccess.permitsAll(claims, List.of("acme:data:policy_data")));
    assertTrue(TopicAccess.permitsAll(claims, List.of("policy_data")));
    assertFalse(TopicAccess.permitsAll(claims, List.of("acme:policy:.")));
    assertFalse(TopicAccess.permitsAll(claims, List.of("acme:data:policy_data/users")));
    assertFalse(TopicAccess.permitsAll(claims, List.of("policy:.")));
  }

  @Test
  void permittedTopicsStillNeedTheScopeForScopedTopics() {
    Claims claims = scopesAndTopics(List.of("acme"), List.of("other:policy:.", "acme:policy:."));
    assertFalse(TopicAccess.permitsAll(claims, List.of("other:policy:.")));
    assertTrue(TopicAccess.permitsAll(claims, List.of("acme:policy:.")));
  }

  @Test
  void emptyPermittedTopicsRefuseEverything() {
    Claims claims = scopesAndTopics(List.of("acme"), List.of());
    assertFalse(TopicAccess.permitsAll(claims, List.of("acme:policy:.")));
    assertFalse(TopicAccess.permitsAll(claims, List.of("policy:.")));
  }

  @Test
  void oneRefusedTopicRefusesTheWholeList() {
    assertFalse(
        TopicAccess.permitsAll(ACME, List.of("acme:policy:.", "policy_data", "other:policy:.")));
  }

  @Test
  void anEmptyListIsPermitted() {
    assertTrue(TopicAccess.permitsAll(ACME, List.of()));
    assertTrue(TopicAccess.permitsAll(scopesAndTopics(null, List.of()), List.of()));
  }
}
