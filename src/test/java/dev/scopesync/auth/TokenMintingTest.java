package dev.scopesync.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scopesync.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OPAL's {@code POST /token} under the environment of OPAL's docker-compose-with-security.yml (keys
 * in OPAL's one-line form): minted tokens carry what OPAL's signer writes and are accepted by
 * scopesync's own verification with the rules of their peer type; master-token errors are 401, a
 * bad body 422, a server without a private key or master token mints nothing (503).
 */
class TokenMintingTest {
  private static final String MASTER = "a-master-token-of-the-deployment";
  @TempDir Path dir;
  private TestNode node;
  private final KeyPair keys = TestTokens.rsa();

  @BeforeEach
  void start() throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("OPAL_AUTH_PUBLIC_KEY", TestTokens.publicPem(keys).replace("\n", "_"));
    env.put("OPAL_AUTH_PRIVATE_KEY", TestTokens.privatePem(keys).replace("\n", "_"));
    env.put("OPAL_AUTH_MASTER_TOKEN", MASTER);
    env.put("OPAL_AUTH_JWT_AUDIENCE", "https://api.opal.ac/v1/");
    env.put("OPAL_AUTH_JWT_ISSUER", "https://opal.ac/");
    node = TestNode.startWithEnvironment(dir, env);
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
  }

  private HttpResponse<String> mint(String body, String bearer) throws Exception {
    return node.request(
        "POST",
        "/token",
        body,
        bearer == null ? Map.of() : Map.of("Authorization", "Bearer " + bearer));
  }

  private static JsonObject payloadOf(String jwt) {
    return new JsonObject(
        new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
  }

  @Test
  void aDatasourceTokenCarriesOpalsClaimsAndMayManageScopes() throws Exception {
    String id = UUID.randomUUID().toString();
    long before = Instant.now().getEpochSecond();
    HttpResponse<String> minted =
        mint(
            "{\"id\": \""
                + id
                + "\", \"type\": \"datasource\", \"ttl\": 3600,"
                + " \"claims\": {\"permitted_topics\": [\"policy_data\"]}}",
            MASTER);
    assertEquals(200, minted.statusCode(), minted.body());
    JsonObject answer = new JsonObject(minted.body());
    assertEquals("bearer", answer.getString("type"));
    JsonObject details = answer.getJsonObject("details");
    assertEquals(id, details.getString("id"));
    assertEquals("datasource", details.getString("type"));
    assertEquals("datasource", details.getJsonObject("claims").getString("peer_type"));
    long expired = LocalDateTime.parse(details.getString("expired")).toEpochSecond(ZoneOffset.UTC);
    assertTrue(Math.abs(expired - (before + 3600)) <= 5, details.encode());

    String token = answer.getString("token");
    JsonObject header =
        new JsonObject(
            new String(
                Base64.getUrlDecoder().decode(token.split("\\.")[0]), StandardCharsets.UTF_8));
    assertEquals(new JsonObject().put("alg", "RS256").put("typ", "JWT"), header);
    JsonObject payload = payloadOf(token);
    assertEquals(id, payload.getString("sub"));
    assertEquals("https://api.opal.ac/v1/", payload.getString("aud"));
    assertEquals("https://opal.ac/", payload.getString("iss"));
    assertEquals(3600, payload.getLong("exp") - payload.getLong("iat"));
    assertEquals("datasource", payload.getString("peer_type"));

    // Accepted by the server's own verification, with a datasource's rights and its permitted
    // topics.
    Map<String, String> auth = Map.of("Authorization", "Bearer " + token);
    assertEquals(200, node.request("GET", "/scopes", null, auth).statusCode());
    assertEquals(
        200,
        node.request(
                "POST",
                "/data/config",
                "{\"entries\": [{\"url\": \"\", \"topics\": [\"policy_data\"]}]}",
                auth)
            .statusCode());
    assertEquals(
        403,
        node.request(
                "POST",
                "/data/config",
                "{\"entries\": [{\"url\": \"\", \"topics\": [\"other\"]}]}",
                auth)
            .statusCode());
    assertEquals(401, node.request("GET", "/scopes", null).statusCode(), "auth is on");
  }

  @Test
  void aClientTokenReadsButCannotPublish() throws Exception {
    JsonObject answer = new JsonObject(mint("{}", MASTER).body());
    assertEquals("client", answer.getJsonObject("details").getString("type"));
    JsonObject payload = payloadOf(answer.getString("token"));
    assertEquals(
        365L * 86_400, payload.getLong("exp") - payload.getLong("iat"), "OPAL's default ttl");
    UUID.fromString(payload.getString("sub"));
    Map<String, String> auth = Map.of("Authorization", "Bearer " + answer.getString("token"));
    assertEquals(403, node.request("POST", "/data/config", "{\"entries\": []}", auth).statusCode());
    assertEquals(200, node.request("GET", "/loadlimit", null, auth).statusCode());
    assertEquals(200, node.request("GET", "/data/config", null, auth).statusCode());
  }

  @Test
  void ttlTakesIsoDurationsAndPydanticsNumbers() throws Exception {
    JsonObject iso =
        payloadOf(new JsonObject(mint("{\"ttl\": \"P2DT1H\"}", MASTER).body()).getString("token"));
    assertEquals(2 * 86_400 + 3_600, iso.getLong("exp") - iso.getLong("iat"));
    JsonObject text =
        payloadOf(
            new JsonObject(mint("{\"ttl\": \"90\", \"type\": \"listener\"}", MASTER).body())
                .getString("token"));
    assertEquals(90, text.getLong("exp") - text.getLong("iat"));
    assertEquals("listener", text.getString("peer_type"));
  }

  @Test
  void masterTokenErrorsAre401AndBadBodies422NamingTheField() throws Exception {
    assertEquals(401, mint("{}", null).statusCode());
    HttpResponse<String> wrong = mint("{}", "not-the-master");
    assertEquals(401, wrong.statusCode());
    assertFalse(wrong.body().contains("not-the-master"));
    assertEquals("Bearer", wrong.headers().firstValue("WWW-Authenticate").orElse(null));
    for (String[] bad :
        new String[][] {
          {"{\"id\": \"nope\"}", "id"},
          {"{\"type\": \"admin\"}", "type"},
          {"{\"ttl\": \"forever\"}", "ttl"},
          {"{\"ttl\": -5}", "ttl"},
          {"{\"claims\": [1]}", "claims"},
          {"[]", "body"}
        }) {
      HttpResponse<String> refused = mint(bad[0], MASTER);
      assertEquals(422, refused.statusCode(), bad[0]);
      assertTrue(
          new JsonObject(refused.body()).getString("detail").startsWith(bad[1]), refused.body());
    }
  }

  @Test
  void theJwksIsThePublicKey() throws Exception {
    JsonObject jwk =
        new JsonObject(node.request("GET", "/.well-known/jwks.json", null).body())
            .getJsonArray("keys")
            .getJsonObject(0);
    assertEquals("RSA", jwk.getString("kty"));
    java.math.BigInteger n =
        new java.math.BigInteger(1, Base64.getUrlDecoder().decode(jwk.getString("n")));
    assertEquals(((java.security.interfaces.RSAPublicKey) keys.getPublic()).getModulus(), n);
  }

  @Test
  void withoutAPrivateKeyOrAMasterTokenNothingIsMinted(@TempDir Path other) throws Exception {
    try (TestNode plain =
        TestNode.startWithEnvironment(
            other.resolve("a"), Map.of("OPAL_AUTH_MASTER_TOKEN", MASTER))) {
      assertEquals(
          503,
          plain
              .request("POST", "/token", "{}", Map.of("Authorization", "Bearer " + MASTER))
              .statusCode());
      assertEquals("{}", plain.request("GET", "/.well-known/jwks.json", null).body());
    }
    try (TestNode noMaster =
        TestNode.startWithEnvironment(
            other.resolve("b"), Map.of("OPAL_AUTH_PRIVATE_KEY", TestTokens.privatePem(keys)))) {
      HttpResponse<String> refused = noMaster.request("POST", "/token", "{}");
      assertEquals(503, refused.statusCode());
      assertTrue(refused.body().contains("master token"), refused.body());
    }
  }
}
