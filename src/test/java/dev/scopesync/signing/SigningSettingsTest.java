package dev.scopesync.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.pkcs.RSAPrivateKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Settings that must stop the start: keys that do not parse or do not fit the algorithm. Every
 * message names the setting at fault and says what is wrong, and none contains any of the key.
 */
class SigningSettingsTest {

  private static KeyPair rsa;
  private static KeyPair p256;
  private static KeyPair p384;
  private static KeyPair p521;

  @BeforeAll
  static void makeKeys() {
    rsa = TestKeys.rsa(2048);
    p256 = TestKeys.ec("P-256");
    p384 = TestKeys.ec("P-384");
    p521 = TestKeys.ec("P-521");
  }

  /**
   * Refused, with {@code setting} first in the message, the message containing {@code says}, and no
   * key text.
   */
  private static String refused(String pem, String algorithm, String setting, String says) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> BundleSigner.fromConfig(pem, algorithm, null));
    String message = e.getMessage();
    assertTrue(message.startsWith(setting + ": "), message);
    assertTrue(message.contains(says), message);
    assertNoKeyText(message, pem);
    assertEquals(null, e.getCause(), "no cause whose message could carry key bytes");
    return message;
  }

  /** No 12-character run of the PEM's base64 body shows in {@code text}. */
  private static void assertNoKeyText(String text, String pem) {
    if (pem == null) {
      return;
    }
    assertFalse(text.contains("-----BEGIN"), text);
    String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s|\\\\n", "");
    for (int i = 0; i + 12 <= body.length(); i++) {
      assertFalse(text.contains(body.substring(i, i + 12)), "message contains key text: " + text);
    }
  }

  @Test
  void rsaKeyForAnEsAlgorithm() {
    String message = refused(TestKeys.pkcs8Pem(rsa), "ES256", "bundles.signingKey", "RSA");
    assertTrue(message.contains("bundles.signingAlgorithm ES256 needs an EC P-256 key"), message);
  }

  @Test
  void ecKeyForAnRsaAlgorithm() {
    refused(TestKeys.pkcs8Pem(p256), "RS256", "bundles.signingKey", "needs an RSA key");
    refused(TestKeys.sec1Pem(p256, "P-256"), "PS512", "bundles.signingKey", "needs an RSA key");
  }

  @Test
  void ecKeyOnTheWrongCurve() {
    refused(TestKeys.pkcs8Pem(p384), "ES256", "bundles.signingKey", "is an EC P-384 key");
    refused(
        TestKeys.sec1Pem(p256, "P-256"), "ES384", "bundles.signingKey", "needs an EC P-384 key");
    refused(TestKeys.pkcs8Pem(p521), "ES384", "bundles.signingKey", "needs an EC P-384 key");
    refused(
        TestKeys.sec1Pem(p384, "P-384"), "ES512", "bundles.signingKey", "needs an EC P-521 key");
  }

  @Test
  void ecKeyOnACurveOpaCannotUse() {
    // secp256k1 (1.3.132.0.10): a valid-looking SEC1 key the JDK 17 cannot even represent.
    byte[] sec1 =
        TestKeys.sec1(
            new BigInteger(200, new SecureRandom()).add(BigInteger.ONE), 256, null, "1.3.132.0.10");
    String pem = TestKeys.pem("EC PRIVATE KEY", sec1);
    refused(pem, "ES256", "bundles.signingKey", "curve 1.3.132.0.10");
  }

  @Test
  void ecKeyWithoutItsCurve() {
    byte[] sec1 = TestKeys.sec1(BigInteger.TEN, 256, null, null);
    refused(
        TestKeys.pem("EC PRIVATE KEY", sec1),
        "ES256",
        "bundles.signingKey",
        "does not name its curve");
  }

  @Test
  void ecPrivateNumberOutOfRange() {
    BigInteger n =
        ((java.security.interfaces.ECPrivateKey) p256.getPrivate()).getParams().getOrder();
    byte[] sec1 = TestKeys.sec1(n, 256, null, TestKeys.CURVE_OIDS.get("P-256"));
    refused(TestKeys.pem("EC PRIVATE KEY", sec1), "ES256", "bundles.signingKey", "out of range");
  }

  @Test
  void shortRsaKey() {
    refused(
        TestKeys.pkcs8Pem(TestKeys.rsa(1024)), "RS256", "bundles.signingKey", "at least 2048 bits");
  }

  @Test
  void rsaKeyWhoseNumbersDoNotBelongTogether() throws Exception {
    // A key of its own: the JDK caches RSA blinding values by modulus (RSACore), so signing
    // with a wrong exponent would spoil later signatures with the shared test key.
    RSAPrivateCrtKey key = (RSAPrivateCrtKey) TestKeys.rsa(2048).getPrivate();
    // The public exponent of another key: signatures would not verify with the published key.
    RSAPrivateKey mismatched =
        new RSAPrivateKey(
            key.getModulus(),
            BigInteger.valueOf(3),
            key.getPrivateExponent(),
            key.getPrimeP(),
            key.getPrimeQ(),
            key.getPrimeExponentP(),
            key.getPrimeExponentQ(),
            key.getCrtCoefficient());
    String pem = TestKeys.pem("RSA PRIVATE KEY", mismatched.getEncoded("DER"));
    refused(pem, "RS256", "bundles.signingKey", "verify with its own public key");
  }

  @Test
  void garbageIsRefusedAsNotParsing() {
    refused("not a key at all", "RS256", "bundles.signingKey", "does not parse");
    refused(
        "-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQ\n-----END PRIVATE KEY-----\n",
            "RS256",
        "bundles.signingKey", "does not parse");
    refused(
        "-----BEGIN RSA PRIVATE KEY-----\n"
            + Base64.getEncoder().encodeToString(new byte[300])
            + "\n-----END RSA PRIVATE KEY-----\n",
        "RS256",
        "bundles.signingKey",
        "does not parse");
    refused(
        "-----BEGIN EC PRIVATE KEY-----\n%%%% not base64 %%%%\n-----END EC PRIVATE KEY-----\n",
            "ES256",
        "bundles.signingKey", "not base64");
    // BEGIN without its END line.
    String pem = TestKeys.pkcs8Pem(rsa);
    refused(
        pem.substring(0, pem.indexOf("-----END")), "RS256", "bundles.signingKey", "does not parse");
    // Truncated body.
    String body =
        pem.replace("-----BEGIN PRIVATE KEY-----", "")
            .replace("-----END PRIVATE KEY-----", "")
            .replaceAll("\\s", "");
    refused(
        TestKeys.pem("PRIVATE KEY", Base64.getDecoder().decode(body.substring(0, 400))),
        "RS256",
        "bundles.signingKey",
        "does not parse");
  }

  @Test
  void emptyKeyIsRefused() {
    refused(null, "RS256", "bundles.signingKey", "is empty");
    refused("  \n", "RS256", "bundles.signingKey", "is empty");
  }

  @Test
  void otherPemBlocksSayWhatTheyAre() {
    refused(
        TestKeys.pem("PUBLIC KEY", rsa.getPublic().getEncoded()),
        "RS256",
        "bundles.signingKey",
        "not a private key");
    refused(
        TestKeys.pem("ENCRYPTED PRIVATE KEY", new byte[64]),
        "RS256",
        "bundles.signingKey",
        "encrypted");
    refused(
        "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n"
            + Base64.getEncoder().encodeToString(new byte[48])
            + "\n-----END RSA PRIVATE KEY-----\n",
        "RS256",
        "bundles.signingKey",
        "encrypted");
    refused(
        TestKeys.pem("OPENSSH PRIVATE KEY", new byte[64]),
        "RS256",
        "bundles.signingKey",
        "OpenSSH");
  }

  @Test
  void ed25519KeyIsRefused() throws Exception {
    KeyPair ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    refused(TestKeys.pkcs8Pem(ed), "RS256", "bundles.signingKey", "Ed25519");
  }

  @Test
  void unknownAlgorithmNamesTheAlgorithmSetting() {
    String pem = TestKeys.pkcs8Pem(rsa);
    for (String algorithm : List.of("HS256", "rs256", "none", "EdDSA", "RS1024")) {
      String message = refused(pem, algorithm, "bundles.signingAlgorithm", "'" + algorithm + "'");
      assertTrue(
          message.contains("RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512"),
          message);
    }
    // A key pasted into the algorithm setting is not echoed.
    String message = refused(pem, pem, "bundles.signingAlgorithm", "the value given");
    assertNoKeyText(message, pem);
  }

  @Test
  void keysInOneLineFormsAreAccepted() {
    String pem = TestKeys.pkcs1Pem(rsa);
    String expected = BundleSigner.fromConfig(pem, "RS256", null).publicKeyPem();
    assertEquals(
        expected, BundleSigner.fromConfig(pem.replace("\n", "\\n"), "RS256", null).publicKeyPem());
    assertEquals(
        expected,
        BundleSigner.fromConfig(pem.strip().replace("\n", "_"), "RS256", null).publicKeyPem());
    assertEquals(
        expected, BundleSigner.fromConfig(pem.replace("\n", "\r\n"), "RS256", null).publicKeyPem());
  }

  @Test
  void toStringShowsNoKey() {
    String pem = TestKeys.pkcs8Pem(p256);
    BundleSigner signer = BundleSigner.fromConfig(pem, "ES256", "ops");
    String text = signer.toString();
    assertTrue(text.contains("ES256") && text.contains("kid=ops"), text);
    assertNoKeyText(text, pem);
    assertNoKeyText(text, signer.publicKeyPem());
  }
}
