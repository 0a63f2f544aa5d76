package dev.scopesync.auth;

import static dev.scopesync.auth.AccessPolicy.BAD_ALGORITHM;
import static dev.scopesync.auth.AccessPolicy.BAD_AUDIENCE;
import static dev.scopesync.auth.AccessPolicy.BAD_ISSUER;
import static dev.scopesync.auth.AccessPolicy.BAD_SUBJECT;
import static dev.scopesync.auth.AccessPolicy.CANNOT_DECODE;
import static dev.scopesync.auth.AccessPolicy.DEFAULT_AUDIENCE;
import static dev.scopesync.auth.AccessPolicy.DEFAULT_ISSUER;
import static dev.scopesync.auth.AccessPolicy.EXPIRED;
import static dev.scopesync.auth.AccessPolicy.NOT_YET_VALID;
import static dev.scopesync.auth.BearerToken.NOT_PROVIDED;
import static dev.scopesync.auth.TestTokens.header;
import static dev.scopesync.auth.TestTokens.rs256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AccessPolicyTest {
  private static final Instant NOW = Instant.ofEpochSecond(1_700_000_000L);
  private static final long T = NOW.getEpochSecond();

  /** OPAL signs {@code sub} as {@code uuid.hex}: 32 digits, no hyphens. */
  private static final String SUB = "3f1c2a9e8d7b4c6a9e0f1a2b3c4d5e6f";

  private static final KeyPair KEYS = TestTokens.rsa();
  private static final KeyPair OTHER_KEYS = TestTokens.rsa();

  private static Vertx vertx;
  private static AccessPolicy policy;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    policy =
        AccessPolicy.create(
            vertx,
            TestTokens.publicPem(KEYS),
            "RS256",
            null,
            null,
            Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** What OPAL's {@code POST /token} signs, a year long. */
  static JsonObject opal(String peerType) {
    return new JsonObject()
        .put("iat", T - 60)
        .put("exp", T + 365 * 86_400L)
        .put("aud", DEFAULT_AUDIENCE)
        .put("iss", DEFAULT_ISSUER)
        .put("sub", SUB)
        .put("peer_type", peerType);
  }

  static String token(JsonObject payload) {
    return rs256(KEYS.getPrivate(), header("RS256"), payload);
  }

  static String datasource(UnaryOperator<JsonObject> change) {
    return token(change.apply(opal("datasource")));
  }

  static Claims claims(Future<Claims> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static AuthFailure failure(Future<Claims> future) {
    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () -> future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
    return assertInstanceOf(AuthFailure.class, e.getCause());
  }

  static Stream<Arguments> refused() {
    String valid = datasource(p -> p);
    String[] parts = valid.split("\\.");
    String otherPayload =
        TestTokens.segment(opal("datasource").put("allowed_scopes", new JsonArray().add("*")));
    String wrongScheme = NOT_PROVIDED + " (expected 'Authorization: Bearer <token>')";
    String wrongAlgorithm = BAD_ALGORITHM + " (expected RS256)";
    return Stream.of(
        Arguments.of("no Authorization header", null, NOT_PROVIDED),
        Arguments.of("an empty header", "", NOT_PROVIDED),
        Arguments.of("a blank header", "   ", NOT_PROVIDED),
        Arguments.of("the Bearer scheme alone", "Bearer", NOT_PROVIDED),
        Arguments.of("the Bearer scheme and spaces", "Bearer   ", NOT_PROVIDED),
        Arguments.of("a Basic header", "Basic dXNlcjpwYXNzd29yZA==", wrongScheme),
        Arguments.of("a valid token under another scheme", "Token " + valid, wrongScheme),
        Arguments.of("garbage", "garbage", CANNOT_DECODE),
        Arguments.of("Bearer and garbage", "Bearer garbage", CANNOT_DECODE),
        Arguments.of("three segments of garbage", "Bearer a.b.c", CANNOT_DECODE),
        Arguments.of("two tokens", "Bearer " + valid + " " + valid, CANNOT_DECODE),
        Arguments.of("a token without its signature", parts[0] + "." + parts[1], CANNOT_DECODE),
        Arguments.of("a token with a fourth segment", valid + ".AAAA", CANNOT_DECODE),
        Arguments.of(
            "a token with an empty signature", parts[0] + "." + parts[1] + ".", CANNOT_DECODE),
        Arguments.of(
            "a signature that is not base64url",
            parts[0] + "." + parts[1] + ".!!!!",
            CANNOT_DECODE),
        Arguments.of(
            "a token signed by another key",
            rs256(OTHER_KEYS.getPrivate(), header("RS256"), opal("datasource")),
            CANNOT_DECODE),
        Arguments.of(
            "a payload swapped after signing",
            parts[0] + "." + otherPayload + "." + parts[2],
            CANNOT_DECODE),
        Arguments.of(
            "a header that is not JSON",
            TestTokens.base64url("nope".getBytes(StandardCharsets.UTF_8))
                + "."
                + parts[1]
                + "."
                + parts[2],
            CANNOT_DECODE),
        Arguments.of(
            "a header that is JSON null",
            TestTokens.base64url("null".getBytes(StandardCharsets.UTF_8))
                + "."
                + parts[1]
                + "."
                + parts[2],
            CANNOT_DECODE),
        Arguments.of(
            "a header that is a JSON list",
            TestTokens.base64url("[]".getBytes(StandardCharsets.UTF_8))
                + "."
                + parts[1]
                + "."
                + parts[2],
            CANNOT_DECODE),
        Arguments.of(
            "a header that is not base64url", "%%%." + parts[1] + "." + parts[2], CANNOT_DECODE),
        Arguments.of("a payload that is a JSON list", signedRawPayload("[1,2]"), CANNOT_DECODE),
        Arguments.of("a payload that is JSON null", signedRawPayload("null"), CANNOT_DECODE),
        Arguments.of(
            "alg none with an empty signature",
            TestTokens.unsigned(opal("datasource")),
            wrongAlgorithm),
        Arguments.of(
            "alg none over a real RS256 signature",
            rs256(KEYS.getPrivate(), header("none"), opal("datasource")),
            wrongAlgorithm),
        Arguments.of(
            "HS256 keyed with the public key (key confusion)",
            TestTokens.hs256(
                TestTokens.publicPem(KEYS).getBytes(StandardCharsets.US_ASCII), opal("datasource")),
            wrongAlgorithm),
        Arguments.of(
            "RS512 while RS256 is configured",
            TestTokens.sign(
                "SHA512withRSA", KEYS.getPrivate(), header("RS512"), opal("datasource")),
            wrongAlgorithm),
        Arguments.of(
            "an RS256 signature labelled RS512",
            rs256(KEYS.getPrivate(), header("RS512"), opal("datasource")),
            wrongAlgorithm),
        Arguments.of(
            "a header without alg",
            rs256(KEYS.getPrivate(), new JsonObject().put("typ", "JWT"), opal("datasource")),
            wrongAlgorithm),
        Arguments.of("expired a second ago", datasource(p -> p.put("exp", T - 1)), EXPIRED),
        Arguments.of("expiring this very second", datasource(p -> p.put("exp", T)), EXPIRED),
        Arguments.of("expired long ago", datasource(p -> p.put("iat", 0).put("exp", 1)), EXPIRED),
        Arguments.of(
            "expiring within this second (PyJWT truncates exp)",
            datasource(p -> p.put("exp", T + 0.5)),
            EXPIRED),
        Arguments.of("exp as null", datasource(p -> p.put("exp", null)), CANNOT_DECODE),
        Arguments.of("exp as text", datasource(p -> p.put("exp", "2000000000")), CANNOT_DECODE),
        Arguments.of("nbf as text", datasource(p -> p.put("nbf", "0")), CANNOT_DECODE),
        Arguments.of(
            "iat as a list", datasource(p -> p.put("iat", new JsonArray().add(0))), CANNOT_DECODE),
        Arguments.of(
            "not valid for another minute (nbf)",
            datasource(p -> p.put("nbf", T + 60)),
            NOT_YET_VALID + " (nbf)"),
        Arguments.of(
            "not valid for another second (nbf)",
            datasource(p -> p.put("nbf", T + 1)),
            NOT_YET_VALID + " (nbf)"),
        Arguments.of(
            "issued a minute from now (iat)",
            datasource(p -> p.put("iat", T + 60)),
            NOT_YET_VALID + " (iat)"),
        Arguments.of(
            "another audience",
            datasource(p -> p.put("aud", "https://api.example.com/")),
            BAD_AUDIENCE),
        Arguments.of("no audience", datasource(p -> p.put("aud", null)), BAD_AUDIENCE),
        Arguments.of(
            "an audience list without ours",
            datasource(p -> p.put("aud", new JsonArray().add("a").add("b"))),
            BAD_AUDIENCE),
        Arguments.of(
            "an audience without its trailing slash",
            datasource(p -> p.put("aud", "https://api.opal.ac/v1")),
            BAD_AUDIENCE),
        Arguments.of(
            "an audience that is an object",
            datasource(p -> p.put("aud", new JsonObject().put("aud", DEFAULT_AUDIENCE))),
            BAD_AUDIENCE),
        Arguments.of(
            "another issuer", datasource(p -> p.put("iss", "https://evil.example/")), BAD_ISSUER),
        Arguments.of("no issuer", datasource(p -> p.put("iss", null)), BAD_ISSUER),
        Arguments.of(
            "the issuer in other case",
            datasource(p -> p.put("iss", "HTTPS://OPAL.AC/")),
            BAD_ISSUER),
        Arguments.of(
            "the issuer in a list",
            datasource(p -> p.put("iss", new JsonArray().add(DEFAULT_ISSUER))),
            BAD_ISSUER),
        Arguments.of("no sub", datasource(p -> p.put("sub", null)), BAD_SUBJECT),
        Arguments.of("a sub that is a name", datasource(p -> p.put("sub", "alice")), BAD_SUBJECT),
        Arguments.of("a sub that is a number", datasource(p -> p.put("sub", 12345)), BAD_SUBJECT),
        Arguments.of(
            "a sub one digit short", datasource(p -> p.put("sub", SUB.substring(1))), BAD_SUBJECT),
        Arguments.of(
            "a sub with a letter beyond f",
            datasource(p -> p.put("sub", "g" + SUB.substring(1))),
            BAD_SUBJECT));
  }

  private static String signedRawPayload(String json) {
    return TestTokens.signRaw("SHA256withRSA", KEYS.getPrivate(), header("RS256").encode(), json);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void refusesWith401(String behaviour, String presented, String detail) {
    AuthFailure failure = failure(policy.authenticate(presented));
    assertEquals(401, failure.status());
    assertEquals(detail, failure.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void aRefusalNeverQuotesWhatWasPresented(String behaviour, String presented, String detail) {
    String message = failure(policy.authenticate(presented)).getMessage();
    if (presented == null || presented.isBlank()) {
      return;
    }
    assertFalse(message.contains(presented.strip()), message);
    for (String part : presented.strip().split("[.\\s]+")) {
      // Words of the scheme ("Bearer", "Basic") may appear; token material must not.
      if (part.length() >= 8) {
        assertFalse(message.contains(part), () -> "message quotes " + part + ": " + message);
      }
    }
  }

  @Test
  void aRefusalForbiddenByClaimsNeverQuotesTheToken() throws Exception {
    String client = token(opal("client").put("permitted_topics", new JsonArray().add("a")));
    Claims claims = claims(policy.authenticate("Bearer " + client));
    List<AuthFailure> failures =
        List.of(
            assertThrows(AuthFailure.class, claims::requireDatasource),
            assertThrows(AuthFailure.class, () -> claims.requireScope("tenant-1")),
            assertThrows(AuthFailure.class, () -> claims.requireTopics(List.of("b"))));
    for (AuthFailure failure : failures) {
      assertEquals(403, failure.status());
      for (String part : client.split("\\.")) {
        assertFalse(failure.getMessage().contains(part), failure.getMessage());
      }
    }
  }

  static Stream<Arguments> accepted() {
    String valid = datasource(p -> p);
    return Stream.of(
        Arguments.of("an Authorization header", "Bearer " + valid),
        Arguments.of("the scheme in lower case", "bearer " + valid),
        Arguments.of("the scheme in upper case", "BEARER " + valid),
        Arguments.of("a bare token (event-bus callers)", valid),
        Arguments.of("surrounding spaces", "  Bearer   " + valid + "  "),
        Arguments.of("a tab after the scheme", "Bearer\t" + valid),
        Arguments.of(
            "an audience list with ours",
            "Bearer "
                + datasource(
                    p ->
                        p.put("aud", new JsonArray().add("https://other/").add(DEFAULT_AUDIENCE)))),
        Arguments.of(
            "no exp (OPAL does not require one)", "Bearer " + datasource(p -> removed(p, "exp"))),
        Arguments.of(
            "expiring a second from now", "Bearer " + datasource(p -> p.put("exp", T + 1))),
        Arguments.of("exp with a fraction", "Bearer " + datasource(p -> p.put("exp", T + 1.5))),
        Arguments.of(
            "exp beyond a long",
            "Bearer " + datasource(p -> p.put("exp", new BigInteger("1" + "0".repeat(30))))),
        Arguments.of(
            "nbf and iat this very second",
            "Bearer " + datasource(p -> p.put("nbf", T).put("iat", T))),
        Arguments.of("no iat", "Bearer " + datasource(p -> removed(p, "iat"))),
        Arguments.of(
            "a sub with hyphens",
            "Bearer " + datasource(p -> p.put("sub", "3f1c2a9e-8d7b-4c6a-9e0f-1a2b3c4d5e6f"))),
        Arguments.of(
            "a sub in upper case", "Bearer " + datasource(p -> p.put("sub", SUB.toUpperCase()))),
        Arguments.of("a sub in braces", "Bearer " + datasource(p -> p.put("sub", "{" + SUB + "}"))),
        Arguments.of(
            "a sub as a URN", "Bearer " + datasource(p -> p.put("sub", "urn:uuid:" + SUB))));
  }

  private static JsonObject removed(JsonObject payload, String claim) {
    payload.remove(claim);
    return payload;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("accepted")
  void acceptsAValidOpalToken(String behaviour, String presented) throws Exception {
    Claims claims = claims(policy.authenticate(presented));
    assertTrue(claims.enforced());
    assertEquals("datasource", claims.peerType());
  }

  @Test
  void claimsCarryThePayloadButNotTheToken() throws Exception {
    JsonObject payload =
        opal("client")
            .put("allowed_scopes", new JsonArray().add("tenant-1").add("tenant-2"))
            .put("permitted_topics", new JsonArray().add("policy_data"));
    String token = token(payload);
    Claims claims = claims(policy.authenticate("Bearer " + token));
    assertEquals(
        new Claims("client", List.of("tenant-1", "tenant-2"), List.of("policy_data"), payload),
        claims);
    assertEquals(payload, claims.raw());
    assertFalse(claims.raw().encode().contains(token.split("\\.")[2]));
    assertFalse(claims.toString().contains(token.split("\\.")[2]));
  }

  @Test
  void aDatasourceTokenMayManageScopes() throws Exception {
    claims(policy.authenticate("Bearer " + token(opal("datasource")))).requireDatasource();
  }

  @Test
  void aClientTokenMayNotManageScopes() throws Exception {
    Claims claims = claims(policy.authenticate("Bearer " + token(opal("client"))));
    AuthFailure failure = assertThrows(AuthFailure.class, claims::requireDatasource);
    assertEquals(403, failure.status());
    assertEquals(
        "Incorrect 'peer_type' claim for OPAL jwt token: client, expected: datasource",
        failure.getMessage());
  }

  @Test
  void aClientTokenReadsOnlyItsAllowedScopes() throws Exception {
    Claims claims =
        claims(
            policy.authenticate(
                "Bearer "
                    + token(
                        opal("client").put("allowed_scopes", new JsonArray().add("tenant-1")))));
    claims.requireScope("tenant-1");
    assertEquals(
        403, assertThrows(AuthFailure.class, () -> claims.requireScope("tenant-2")).status());
  }

  @Test
  void aDatasourceTokenWithoutAllowedScopesReadsNoScope() throws Exception {
    Claims claims = claims(policy.authenticate("Bearer " + token(opal("datasource"))));
    assertEquals(
        403, assertThrows(AuthFailure.class, () -> claims.requireScope("tenant-1")).status());
  }

  @Test
  void aDatasourcePublishesOnlyItsPermittedTopics() throws Exception {
    Claims claims =
        claims(
            policy.authenticate(
                "Bearer "
                    + token(
                        opal("datasource")
                            .put("permitted_topics", new JsonArray().add("policy_data")))));
    claims.requireTopics(List.of("policy_data"));
    AuthFailure failure =
        assertThrows(
            AuthFailure.class, () -> claims.requireTopics(List.of("policy_data", "billing")));
    assertEquals(403, failure.status());
    assertEquals("Invalid 'topics' to publish [billing]", failure.getMessage());
  }

  @Test
  void verificationCompletesOnTheCallingEventLoop() throws Exception {
    String token = token(opal("datasource"));
    Promise<Boolean> done = Promise.promise();
    Context context = vertx.getOrCreateContext();
    context.runOnContext(
        v -> {
          Future<Claims> result = policy.authenticate("Bearer " + token);
          // No hop to a worker: the signature check is a few hundred microseconds of CPU.
          done.complete(Context.isOnEventLoopThread() && result.isComplete() && result.succeeded());
        });
    assertTrue(done.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
  }

  @Test
  void theDisabledPolicyAllowsEverything() throws Exception {
    AccessPolicy disabled = AccessPolicy.disabled();
    assertFalse(disabled.enabled());
    for (String presented :
        new String[] {
          null, "", "garbage", "Basic x", "Bearer " + TestTokens.unsigned(opal("client"))
        }) {
      Claims claims = claims(disabled.authenticate(presented));
      assertSame(Claims.unrestricted(), claims);
      assertFalse(claims.enforced());
      claims.requireDatasource();
      claims.requireScope("any-scope");
      claims.requireTopics(List.of("any", "topic"));
    }
  }

  @Test
  void noPublicKeyMeansDisabledAndOneMeansOpalDefaults() throws Exception {
    assertFalse(AccessPolicy.fromPublicKey(vertx, null).enabled());
    assertFalse(AccessPolicy.fromPublicKey(vertx, "  ").enabled());
    AccessPolicy enabled = AccessPolicy.fromPublicKey(vertx, TestTokens.publicPem(KEYS));
    assertTrue(enabled.enabled());
    assertEquals(
        "AccessPolicy[RS256, aud=https://api.opal.ac/v1/, iss=https://opal.ac/]",
        enabled.toString());
    // Real clock: a token made now.
    long now = Instant.now().getEpochSecond();
    JsonObject payload = opal("datasource").put("iat", now).put("exp", now + 3600);
    claims(enabled.authenticate("Bearer " + token(payload))).requireDatasource();
    assertEquals(
        401,
        failure(enabled.authenticate("Bearer " + token(payload.put("exp", now - 3600)))).status());
  }

  @Test
  void theAudienceAndIssuerCanBeConfigured() throws Exception {
    AccessPolicy custom =
        AccessPolicy.create(
            vertx,
            TestTokens.publicPem(KEYS),
            null,
            "scopesync",
            "https://issuer.example/",
            Clock.fixed(NOW, ZoneOffset.UTC));
    JsonObject payload =
        opal("datasource").put("aud", "scopesync").put("iss", "https://issuer.example/");
    claims(custom.authenticate(token(payload))).requireDatasource();
    assertEquals(
        BAD_AUDIENCE,
        failure(
                custom.authenticate(
                    token(opal("datasource").put("iss", "https://issuer.example/"))))
            .getMessage());
    assertEquals(
        BAD_ISSUER,
        failure(custom.authenticate(token(opal("datasource").put("aud", "scopesync"))))
            .getMessage());
  }
}
