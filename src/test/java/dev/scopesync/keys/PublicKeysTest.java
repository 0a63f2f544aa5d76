package dev.scopesync.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Verification keys as openssl and ssh-keygen write them, read by {@link PublicKeys}. */
class PublicKeysTest {
  @TempDir static Path dir;

  /** Name to text as the tools wrote it. */
  private static final Map<String, String> TEXT = new HashMap<>();

  @BeforeAll
  static void makeKeys() {
    KeyTools tools = new KeyTools(dir);
    tools.sshKeygen("-t", "rsa", "-b", "2048", "-N", "", "-f", "rsa");
    TEXT.put("ssh-rsa", tools.file("rsa.pub"));
    TEXT.put("RSA PUBLIC KEY", tools.sshKeygen("-e", "-m", "pem", "-f", "rsa.pub"));
    TEXT.put("RSA SPKI", tools.sshKeygen("-e", "-m", "pkcs8", "-f", "rsa.pub"));
    tools.sshKeygen("-t", "ed25519", "-N", "", "-f", "ed25519");
    TEXT.put("ssh-ed25519", tools.file("ed25519.pub"));
    tools.sshKeygen("-t", "ecdsa", "-N", "", "-f", "ecdsa");
    TEXT.put("ecdsa-sha2-nistp256", tools.file("ecdsa.pub"));
    for (String curve : new String[] {"P-256", "P-384", "P-521"}) {
      tools.openssl(
          "genpkey",
          "-algorithm",
          "EC",
          "-pkeyopt",
          "ec_paramgen_curve:" + curve,
          "-out",
          curve + ".pem");
      TEXT.put(curve + " SPKI", tools.openssl("pkey", "-in", curve + ".pem", "-pubout"));
    }
    tools.openssl("genpkey", "-algorithm", "ed25519", "-out", "ed25519.pem");
    TEXT.put("Ed25519 SPKI", tools.openssl("pkey", "-in", "ed25519.pem", "-pubout"));
    tools.openssl(
        "req",
        "-x509",
        "-key",
        "P-256.pem",
        "-subj",
        "/CN=scopesync test",
        "-days",
        "1",
        "-out",
        "cert.pem");
    TEXT.put("certificate", tools.file("cert.pem"));
  }

  /**
   * What reading gives: algorithm and size (RSA modulus bits, EC field bits), or the refusal's
   * words.
   */
  private static String outcome(String text) {
    try {
      PublicKey key = PublicKeys.read(text);
      int bits =
          key instanceof ECPublicKey ec
              ? ec.getParams().getCurve().getField().getFieldSize()
              : ((java.security.interfaces.RSAPublicKey) key).getModulus().bitLength();
      return key.getAlgorithm() + " " + bits;
    } catch (IllegalArgumentException e) {
      return "refused: " + e.getMessage();
    }
  }

  static Stream<Arguments> keys() {
    return Stream.of(
        Arguments.of("an ssh-rsa line (ssh-keygen -t rsa) is RSA 2048", "ssh-rsa", "RSA 2048"),
        Arguments.of(
            "PKCS#1 RSA PUBLIC KEY (ssh-keygen -e -m pem) is RSA 2048",
            "RSA PUBLIC KEY",
            "RSA 2048"),
        Arguments.of(
            "an RSA SubjectPublicKeyInfo (ssh-keygen -e -m pkcs8) is RSA 2048",
            "RSA SPKI",
            "RSA 2048"),
        Arguments.of(
            "a P-256 SubjectPublicKeyInfo (openssl pkey -pubout) is EC 256",
            "P-256 SPKI",
            "EC 256"),
        Arguments.of("a P-384 SubjectPublicKeyInfo is EC 384", "P-384 SPKI", "EC 384"),
        Arguments.of("a P-521 SubjectPublicKeyInfo is EC 521", "P-521 SPKI", "EC 521"),
        Arguments.of(
            "an Ed25519 SubjectPublicKeyInfo is refused",
            "Ed25519 SPKI",
            "refused: public key PEM is not an RSA or EC SubjectPublicKeyInfo"),
        Arguments.of(
            "an ssh-ed25519 line is refused naming its type",
            "ssh-ed25519",
            "refused: OpenSSH public keys of type ssh-ed25519 are not supported; use ssh-rsa or PEM"),
        Arguments.of(
            "an ecdsa ssh line is refused naming its type",
            "ecdsa-sha2-nistp256",
            "refused: OpenSSH public keys of type ecdsa-sha2-nistp256 are not supported; use ssh-rsa or PEM"),
        Arguments.of(
            "an X.509 certificate is refused naming its block",
            "certificate",
            "refused: public key PEM is a CERTIFICATE; expected PUBLIC KEY or RSA PUBLIC KEY"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keys")
  void eachKeyReadsAsItsTypeOrIsRefusedInWords(String behaviour, String name, String expected) {
    assertEquals(expected, outcome(TEXT.get(name)));
  }

  @Test
  void theThreeRsaFormsAreTheSameKey() {
    byte[] spki = PublicKeys.read(TEXT.get("RSA SPKI")).getEncoded();
    assertArrayEquals(spki, PublicKeys.read(TEXT.get("RSA PUBLIC KEY")).getEncoded());
    assertArrayEquals(spki, PublicKeys.read(TEXT.get("ssh-rsa")).getEncoded());
    assertEquals(
        TEXT.get("P-384 SPKI"),
        PublicKeys.spkiPem(PublicKeys.read(TEXT.get("P-384 SPKI"))),
        "spkiPem writes what openssl writes");
  }

  static Stream<Arguments> broken() {
    String spki = TEXT.get("RSA SPKI");
    String body =
        spki.substring(spki.indexOf('\n') + 1, spki.indexOf("-----END")).replace("\n", "");
    String blob = TEXT.get("ssh-rsa").split(" ")[1];
    byte[] blobBytes = Base64.getDecoder().decode(blob);
    byte[] trailing = java.util.Arrays.copyOf(blobBytes, blobBytes.length + 1);
    return Stream.of(
        Arguments.of(
            "a body cut short is no SubjectPublicKeyInfo",
            pem("PUBLIC KEY", body.substring(0, 200)),
            "public key PEM is not an RSA or EC SubjectPublicKeyInfo"),
        Arguments.of(
            "a body cut to a length base64 cannot have is not base64",
            pem("PUBLIC KEY", body.substring(0, 201)),
            "public key PEM body is not base64"),
        Arguments.of(
            "an unknown header names the block",
            spki.replace("PUBLIC KEY", "FOO KEY"),
            "public key PEM is a FOO KEY; expected PUBLIC KEY or RSA PUBLIC KEY"),
        Arguments.of(
            "garbage DER is no PKCS#1 key",
            PemText.write("RSA PUBLIC KEY", new byte[] {0x30, 0x03, 0x02, 0x01, 0x05}),
            "public key PEM is not a PKCS#1 RSA PUBLIC KEY"),
        Arguments.of(
            "BEGIN and END that name different blocks match nothing",
            spki.replace("END PUBLIC KEY", "END RSA PUBLIC KEY"),
            "public key PEM has no matching BEGIN/END lines"),
        Arguments.of(
            "an ssh-rsa blob cut short is malformed",
            "ssh-rsa " + blob.substring(0, 100) + " me",
            "ssh-rsa public key is malformed"),
        Arguments.of(
            "an ssh-rsa blob with a byte after the key is malformed",
            "ssh-rsa " + Base64.getEncoder().encodeToString(trailing) + " me",
            "ssh-rsa public key is malformed"),
        Arguments.of(
            "an ssh-rsa line holding an ed25519 blob is malformed",
            "ssh-rsa " + TEXT.get("ssh-ed25519").split(" ")[1],
            "ssh-rsa public key is malformed"));
  }

  private static String pem(String label, String base64) {
    return "-----BEGIN " + label + "-----\n" + base64 + "\n-----END " + label + "-----\n";
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("broken")
  void brokenKeysAreRefusedInWords(String behaviour, String text, String message) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> PublicKeys.read(text));
    assertEquals(message, e.getMessage());
  }
}
