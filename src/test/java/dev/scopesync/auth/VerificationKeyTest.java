package dev.scopesync.auth;

import static dev.scopesync.auth.TestTokens.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The key forms OPAL's AUTH_PUBLIC_KEY takes, and the algorithms a key may verify. */
class VerificationKeyTest {
  private static final Instant NOW = Instant.ofEpochSecond(1_700_000_000L);
  private static final KeyPair RSA = TestTokens.rsa();
  private static final KeyPair P256 = TestTokens.ec("secp256r1");
  private static final KeyPair P384 = TestTokens.ec("secp384r1");
  private static final KeyPair P521 = TestTokens.ec("secp521r1");

  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static JsonObject payload() {
    return AccessPolicyTest.opal("datasource");
  }

  private static AccessPolicy policy(String key, String algorithm) {
    return AccessPolicy.create(vertx, key, algorithm, null, null, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private static Claims verify(AccessPolicy policy, String token) throws Exception {
    return policy
        .authenticate("Bearer " + token)
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  static Stream<Arguments> keyForms() {
    String pem = TestTokens.publicPem(RSA);
    return Stream.of(
        Arguments.of("PEM PUBLIC KEY (OPAL's pem format)", pem),
        Arguments.of("PEM with CRLF line ends", pem.replace("\n", "\r\n")),
        Arguments.of(
            "PEM on one line with _ for newlines (OPAL's env-var form)",
            pem.strip().replace("\n", "_")),
        Arguments.of("PEM with spaces and blank lines around it", "\n\n  " + pem + "\n  "),
        Arguments.of("PKCS#1 RSA PUBLIC KEY (ssh-keygen -e -m pem)", TestTokens.pkcs1Pem(RSA)),
        Arguments.of(
            "ssh-rsa with a comment (OPAL's default ssh format)",
            TestTokens.sshRsa(RSA, "opal@example")),
        Arguments.of("ssh-rsa without a comment", TestTokens.sshRsa(RSA, "").strip()),
        Arguments.of("ssh-rsa with a newline after it", TestTokens.sshRsa(RSA, "me") + "\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keyForms")
  void everyKeyFormOpalTakesVerifiesTheSameToken(String behaviour, String key) throws Exception {
    AccessPolicy policy = policy(key, "RS256");
    verify(policy, TestTokens.rs256(RSA.getPrivate(), header("RS256"), payload()))
        .requireDatasource();
    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () ->
                verify(
                    policy,
                    TestTokens.rs256(TestTokens.rsa().getPrivate(), header("RS256"), payload())));
    assertEquals(401, assertInstanceOf(AuthFailure.class, e.getCause()).status());
  }

  static Stream<Arguments> badKeys() {
    String pem = TestTokens.publicPem(RSA);
    String body = pem.substring(pem.indexOf('\n') + 1, pem.indexOf("-----END"));
    return Stream.of(
        Arguments.of("no key", null, "public key is empty"),
        Arguments.of("an empty key", "", "public key is empty"),
        Arguments.of(
            "text that is no key",
            "hello",
            "public key is neither PEM (-----BEGIN PUBLIC KEY-----) nor an OpenSSH ssh-rsa line"),
        Arguments.of(
            "a bare base64 body",
            body,
            "public key is neither PEM (-----BEGIN PUBLIC KEY-----) nor an OpenSSH ssh-rsa line"),
        Arguments.of(
            "a private key",
            TestTokens.privatePem(RSA),
            "public key PEM is a PRIVATE KEY; expected PUBLIC KEY or RSA PUBLIC KEY"),
        Arguments.of(
            "a certificate label",
            pem.replace("PUBLIC KEY", "CERTIFICATE"),
            "public key PEM is a CERTIFICATE; expected PUBLIC KEY or RSA PUBLIC KEY"),
        Arguments.of(
            "PEM without its END line",
            pem.substring(0, pem.indexOf("-----END")),
            "public key PEM has no matching BEGIN/END lines"),
        Arguments.of(
            "PEM whose END names another type",
            pem.replace("END PUBLIC KEY", "END RSA PUBLIC KEY"),
            "public key PEM has no matching BEGIN/END lines"),
        Arguments.of(
            "PEM whose body is not base64",
            "-----BEGIN PUBLIC KEY-----\n@@@@\n-----END PUBLIC KEY-----",
            "public key PEM body is not base64"),
        Arguments.of(
            "PEM whose body is no key",
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
            "public key PEM is not an RSA or EC SubjectPublicKeyInfo"),
        Arguments.of(
            "SubjectPublicKeyInfo labelled PKCS#1",
            pem.replace("PUBLIC KEY", "RSA PUBLIC KEY"),
            "public key PEM is not a PKCS#1 RSA PUBLIC KEY"),
        Arguments.of(
            "PKCS#1 labelled SubjectPublicKeyInfo",
            TestTokens.pkcs1Pem(RSA).replace("RSA PUBLIC KEY", "PUBLIC KEY"),
            "public key PEM is not an RSA or EC SubjectPublicKeyInfo"),
        Arguments.of(
            "an ssh-ed25519 key",
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG me@host",
            "OpenSSH public keys of type ssh-ed25519 are not supported; use ssh-rsa or PEM"),
        Arguments.of(
            "an ecdsa ssh key",
            "ecdsa-sha2-nistp256 AAAAE2VjZHNh me@host",
            "OpenSSH public keys of type ecdsa-sha2-nistp256 are not supported; use ssh-rsa or PEM"),
        Arguments.of("ssh-rsa without key data", "ssh-rsa", "ssh-rsa public key has no key data"),
        Arguments.of(
            "ssh-rsa with garbage key data", "ssh-rsa !!!! me", "ssh-rsa public key is malformed"),
        Arguments.of(
            "ssh-rsa with a truncated blob",
            "ssh-rsa AAAAB3NzaC1yc2EAAAADAQAB me",
            "ssh-rsa public key is malformed"),
        Arguments.of(
            "ssh-rsa holding another key type",
            TestTokens.sshRsa(RSA, "me").replace("AAAAB3NzaC1yc2E", "AAAAB3NzaC1kc3M"),
            "ssh-rsa public key is malformed"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badKeys")
  void aKeyThatCannotBeReadStopsTheStart(String behaviour, String key, String message) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> policy(key, "RS256"));
    assertEquals(message, e.getMessage());
  }

  static Stream<Arguments> algorithms() {
    return Stream.of(
        Arguments.of("RS256", RSA),
        Arguments.of("RS384", RSA),
        Arguments.of("RS512", RSA),
        Arguments.of("PS256", RSA),
        Arguments.of("PS384", RSA),
        Arguments.of("PS512", RSA),
        Arguments.of("ES256", P256),
        Arguments.of("ES384", P384),
        Arguments.of("ES512", P521));
  }

  /** Tokens signed by Vert.x's own JWT signer: the JOSE encodings (ECDSA r||s, PSS) agree. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("algorithms")
  void tokensSignedWithEachSupportedAlgorithmVerify(String algorithm, KeyPair keys)
      throws Exception {
    JWTAuth signer =
        JWTAuth.create(
            vertx,
            new JWTAuthOptions()
                .addPubSecKey(
                    new PubSecKeyOptions()
                        .setAlgorithm(algorithm)
                        .setBuffer(TestTokens.privatePem(keys))));
    String token =
        signer.generateToken(
            payload(), new JWTOptions().setAlgorithm(algorithm).setNoTimestamp(true));
    verify(policy(TestTokens.publicPem(keys), algorithm), token).requireDatasource();
  }

  static Stream<Arguments> misfits() {
    return Stream.of(
        Arguments.of(
            "an RSA key for ES256",
            RSA,
            "ES256",
            "JWT algorithm ES256 needs an EC public key on the 256-bit curve"),
        Arguments.of(
            "a P-384 key for ES256",
            P384,
            "ES256",
            "JWT algorithm ES256 needs an EC public key on the 256-bit curve"),
        Arguments.of(
            "a P-256 key for ES512",
            P256,
            "ES512",
            "JWT algorithm ES512 needs an EC public key on the 521-bit curve"),
        Arguments.of(
            "an EC key for RS256", P256, "RS256", "JWT algorithm RS256 needs an RSA public key"),
        Arguments.of(
            "an EC key for PS256", P256, "PS256", "JWT algorithm PS256 needs an RSA public key"),
        Arguments.of(
            "HS256 (the key would be a shared secret)", RSA, "HS256", unsupported("HS256")),
        Arguments.of("none", RSA, "none", unsupported("none")),
        Arguments.of("EdDSA", RSA, "EdDSA", unsupported("EdDSA")),
        Arguments.of("the algorithm in lower case", RSA, "rs256", unsupported("rs256")));
  }

  private static String unsupported(String algorithm) {
    return "JWT algorithm "
        + algorithm
        + " is not supported; use RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384 or ES512";
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("misfits")
  void aKeyMustFitTheAlgorithm(String behaviour, KeyPair keys, String algorithm, String message) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> policy(TestTokens.publicPem(keys), algorithm));
    assertEquals(message, e.getMessage());
  }

  @Test
  void anEsTokenIsRefusedByAnRsPolicyWithTheSameName() throws Exception {
    JWTAuth signer =
        JWTAuth.create(
            vertx,
            new JWTAuthOptions()
                .addPubSecKey(
                    new PubSecKeyOptions()
                        .setAlgorithm("ES256")
                        .setBuffer(TestTokens.privatePem(P256))));
    String token =
        signer.generateToken(
            payload(), new JWTOptions().setAlgorithm("ES256").setNoTimestamp(true));
    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () -> verify(policy(TestTokens.publicPem(RSA), "RS256"), token));
    assertEquals(AccessPolicy.BAD_ALGORITHM + " (expected RS256)", e.getCause().getMessage());
  }

  @Test
  void blankAudienceOrIssuerAndMissingVertxAreRefused() {
    String key = TestTokens.publicPem(RSA);
    assertEquals(
        "JWT audience must not be blank",
        assertThrows(
                IllegalArgumentException.class,
                () -> AccessPolicy.create(vertx, key, null, " ", null))
            .getMessage());
    assertEquals(
        "JWT issuer must not be blank",
        assertThrows(
                IllegalArgumentException.class,
                () -> AccessPolicy.create(vertx, key, null, null, ""))
            .getMessage());
    assertThrows(
        NullPointerException.class, () -> AccessPolicy.create(null, key, null, null, null));
  }

  @Test
  void uuidFormsArePythonsOnes() {
    for (String ok :
        new String[] {
          "3f1c2a9e8d7b4c6a9e0f1a2b3c4d5e6f", "3F1C2A9E-8D7B-4C6A-9E0F-1A2B3C4D5E6F",
          "{3f1c2a9e-8d7b-4c6a-9e0f-1a2b3c4d5e6f}", "urn:uuid:3f1c2a9e-8d7b-4c6a-9e0f-1a2b3c4d5e6f",
          "3f1c-2a9e8d7b4c6a9e0f1a2b3c4d5e6f"
        }) {
      assertEquals(true, AccessPolicy.isUuid(ok), ok);
    }
    for (String bad :
        new String[] {
          "",
          "alice",
          "3f1c2a9e8d7b4c6a9e0f1a2b3c4d5e6",
          "3f1c2a9e8d7b4c6a9e0f1a2b3c4d5e6f0",
          "3f1c2a9e8d7b4c6a9e0f1a2b3c4d5e6g",
          "３f1c2a9e8d7b4c6a9e0f1a2b3c4d5e6f",
          " 3f1c2a9e8d7b4c6a9e0f1a2b3c4d5e6f"
        }) {
      assertEquals(false, AccessPolicy.isUuid(bad), bad);
    }
  }
}
