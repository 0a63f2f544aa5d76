package dev.scopesync.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.scopesync.keys.KeyTools;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code auth.privateKeyPassphrase} (OPAL's {@code AUTH_PRIVATE_KEY_PASSPHRASE}) with keys openssl
 * encrypted.
 */
class JwtSignerPassphraseTest {
  private static final String PASSPHRASE = "opal's s3cret passphrase";

  @TempDir static Path dir;
  private static String plain;
  private static String pkcs8;
  private static String legacy;

  @BeforeAll
  static void makeKeys() {
    KeyTools tools = new KeyTools(dir);
    tools.openssl(
        "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "plain.pem");
    tools.openssl(
        "pkcs8",
        "-topk8",
        "-in",
        "plain.pem",
        "-passout",
        "pass:" + PASSPHRASE,
        "-out",
        "pkcs8.pem");
    tools.openssl(
        "ec", "-in", "plain.pem", "-des3", "-passout", "pass:" + PASSPHRASE, "-out", "legacy.pem");
    plain = tools.file("plain.pem");
    pkcs8 = tools.file("pkcs8.pem");
    legacy = tools.file("legacy.pem");
  }

  @Test
  void anEncryptedKeyWithItsPassphraseSignsAsThePlainKeyDoes() {
    String jwk = JwtSigner.of(plain, "ES256").publicJwk();
    assertEquals(jwk, JwtSigner.of(pkcs8, PASSPHRASE, "ES256").publicJwk());
    assertEquals(jwk, JwtSigner.of(legacy, PASSPHRASE, "ES256").publicJwk());
    assertEquals(
        jwk,
        JwtSigner.of(legacy.strip().replace("\n", "_"), PASSPHRASE, "ES256").publicJwk(),
        "OPAL's one-line form");
  }

  static Stream<Arguments> refusals() {
    return Stream.of(
        Arguments.of(
            "an encrypted PKCS#8 key without its passphrase",
            "pkcs8",
            null,
            "auth.privateKey is encrypted, and no passphrase was given (auth.privateKeyPassphrase)"),
        Arguments.of(
            "a legacy encrypted PEM without its passphrase",
            "legacy",
            null,
            "auth.privateKey is encrypted, and no passphrase was given (auth.privateKeyPassphrase)"),
        Arguments.of(
            "an encrypted PKCS#8 key with a wrong passphrase",
            "pkcs8",
            "not " + PASSPHRASE,
            "auth.privateKey cannot be decrypted with the passphrase given (is it the right one?) (auth.privateKeyPassphrase)"),
        Arguments.of(
            "a legacy encrypted PEM with a wrong passphrase",
            "legacy",
            "not " + PASSPHRASE,
            "auth.privateKey cannot be decrypted with the passphrase given (is it the right one?) (auth.privateKeyPassphrase)"),
        Arguments.of(
            "a passphrase for a key that is not encrypted (OPAL refuses it too)",
            "plain",
            PASSPHRASE,
            "auth.privateKey is not encrypted, but a passphrase was given (auth.privateKeyPassphrase)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusals")
  void aMissingOrWrongPassphraseStopsTheStartWithoutShowingIt(
      String behaviour, String key, String passphrase, String message) {
    String text =
        switch (key) {
          case "pkcs8" -> pkcs8;
          case "legacy" -> legacy;
          default -> plain;
        };
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> JwtSigner.of(text, passphrase, "ES256"));
    assertEquals(message, e.getMessage());
    assertEquals(null, e.getCause());
    assertFalse(e.getMessage().contains(PASSPHRASE));
  }
}
