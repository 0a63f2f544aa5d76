package dev.scopesync.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Private keys as openssl and ssh-keygen write them, read by {@link PrivateKeys}. */
class PrivateKeysTest {
  private static final String PASSPHRASE = "correct horse battery staple";
  private static final String WRONG =
      "cannot be decrypted with the passphrase given (is it the right one?)";

  @TempDir static Path dir;

  /** Key name to its PEM text. */
  private static final Map<String, String> KEYS = new HashMap<>();

  /** Key name to openssl's own SubjectPublicKeyInfo PEM of it. */
  private static final Map<String, String> PUBLIC = new HashMap<>();

  @BeforeAll
  static void makeKeys() {
    KeyTools tools = new KeyTools(dir);
    tools.openssl("genrsa", "-traditional", "-out", "rsa-pkcs1.pem", "2048");
    tools.openssl("pkcs8", "-topk8", "-nocrypt", "-in", "rsa-pkcs1.pem", "-out", "rsa-pkcs8.pem");
    for (String curve : new String[] {"P-256", "P-384", "P-521"}) {
      tools.openssl(
          "genpkey",
          "-algorithm",
          "EC",
          "-pkeyopt",
          "ec_paramgen_curve:" + curve,
          "-out",
          curve + "-pkcs8.pem");
      tools.openssl("ec", "-in", curve + "-pkcs8.pem", "-out", curve + "-sec1.pem");
      PUBLIC.put(curve, tools.openssl("pkey", "-in", curve + "-pkcs8.pem", "-pubout"));
    }
    tools.openssl("ecparam", "-name", "prime256v1", "-genkey", "-out", "ecparam-genkey.pem");
    tools.openssl("genpkey", "-algorithm", "ed25519", "-out", "ed25519.pem");
    tools.openssl(
        "pkcs8",
        "-topk8",
        "-in",
        "rsa-pkcs1.pem",
        "-passout",
        "pass:" + PASSPHRASE,
        "-out",
        "rsa-encrypted-pkcs8.pem");
    tools.openssl(
        "pkcs8",
        "-topk8",
        "-in",
        "P-384-pkcs8.pem",
        "-passout",
        "pass:" + PASSPHRASE,
        "-out",
        "ec-encrypted-pkcs8.pem");
    tools.openssl(
        "rsa",
        "-in",
        "rsa-pkcs1.pem",
        "-aes256",
        "-traditional",
        "-passout",
        "pass:" + PASSPHRASE,
        "-out",
        "rsa-legacy-encrypted.pem");
    tools.openssl(
        "ec",
        "-in",
        "P-256-sec1.pem",
        "-aes128",
        "-passout",
        "pass:" + PASSPHRASE,
        "-out",
        "ec-legacy-encrypted.pem");
    tools.sshKeygen("-t", "ed25519", "-N", "", "-f", "openssh-ed25519");
    PUBLIC.put("RSA", tools.openssl("pkey", "-in", "rsa-pkcs1.pem", "-pubout"));
    for (String name :
        new String[] {
          "rsa-pkcs1.pem",
          "rsa-pkcs8.pem",
          "P-256-pkcs8.pem",
          "P-256-sec1.pem",
          "P-384-pkcs8.pem",
          "P-384-sec1.pem",
          "P-521-pkcs8.pem",
          "P-521-sec1.pem",
          "ecparam-genkey.pem",
          "ed25519.pem",
          "rsa-encrypted-pkcs8.pem",
          "ec-encrypted-pkcs8.pem",
          "rsa-legacy-encrypted.pem",
          "ec-legacy-encrypted.pem",
          "openssh-ed25519"
        }) {
      KEYS.put(name, tools.file(name));
    }
  }

  /** What reading gives: the key's type and size or curve, or the refusal's words. */
  private static String outcome(String text, String passphrase) {
    try {
      PrivateKeyPair keys = PrivateKeys.read(text, passphrase);
      return keys.curve() != null
          ? "EC " + keys.curve()
          : keys.privateKey().getAlgorithm()
              + " "
              + ((RSAPublicKey) keys.publicKey()).getModulus().bitLength();
    } catch (IllegalArgumentException e) {
      assertNull(e.getCause(), "no cause whose message could carry key bytes");
      return "refused: " + e.getMessage();
    }
  }

  static Stream<Arguments> keys() {
    return Stream.of(
        Arguments.of(
            "an RSA 2048 key in PKCS#1 (openssl genrsa -traditional) is RSA 2048",
            "rsa-pkcs1.pem",
            null,
            "RSA 2048"),
        Arguments.of("an RSA 2048 key in PKCS#8 is RSA 2048", "rsa-pkcs8.pem", null, "RSA 2048"),
        Arguments.of(
            "a P-256 key in PKCS#8 (openssl genpkey) is EC P-256",
            "P-256-pkcs8.pem",
            null,
            "EC P-256"),
        Arguments.of(
            "a P-256 key in SEC1 (openssl ec) is EC P-256", "P-256-sec1.pem", null, "EC P-256"),
        Arguments.of("a P-384 key in PKCS#8 is EC P-384", "P-384-pkcs8.pem", null, "EC P-384"),
        Arguments.of("a P-384 key in SEC1 is EC P-384", "P-384-sec1.pem", null, "EC P-384"),
        Arguments.of("a P-521 key in PKCS#8 is EC P-521", "P-521-pkcs8.pem", null, "EC P-521"),
        Arguments.of("a P-521 key in SEC1 is EC P-521", "P-521-sec1.pem", null, "EC P-521"),
        Arguments.of(
            "EC PARAMETERS before the key (openssl ecparam -genkey) is read past",
            "ecparam-genkey.pem",
            null,
            "EC P-256"),
        Arguments.of(
            "an Ed25519 key says it cannot sign bundles",
            "ed25519.pem",
            null,
            "refused: is an Ed25519 key; bundle signing needs an RSA or EC key"),
        Arguments.of(
            "an encrypted PKCS#8 RSA key with its passphrase is RSA 2048",
            "rsa-encrypted-pkcs8.pem",
            PASSPHRASE,
            "RSA 2048"),
        Arguments.of(
            "an encrypted PKCS#8 EC key with its passphrase is EC P-384",
            "ec-encrypted-pkcs8.pem",
            PASSPHRASE,
            "EC P-384"),
        Arguments.of(
            "an encrypted PKCS#8 key with a wrong passphrase is refused",
            "rsa-encrypted-pkcs8.pem",
            "wrong",
            "refused: " + WRONG),
        Arguments.of(
            "an encrypted PKCS#8 key without a passphrase asks for one",
            "rsa-encrypted-pkcs8.pem",
            null,
            "refused: is encrypted, and no passphrase was given"),
        Arguments.of(
            "a legacy encrypted RSA PEM (Proc-Type, AES-256) with its passphrase is RSA 2048",
            "rsa-legacy-encrypted.pem",
            PASSPHRASE,
            "RSA 2048"),
        Arguments.of(
            "a legacy encrypted EC PEM (Proc-Type, AES-128) with its passphrase is EC P-256",
            "ec-legacy-encrypted.pem",
            PASSPHRASE,
            "EC P-256"),
        Arguments.of(
            "a legacy encrypted PEM with a wrong passphrase is refused",
            "rsa-legacy-encrypted.pem",
            "wrong",
            "refused: " + WRONG),
        Arguments.of(
            "a legacy encrypted PEM without a passphrase asks for one",
            "ec-legacy-encrypted.pem",
            null,
            "refused: is encrypted, and no passphrase was given"),
        Arguments.of(
            "a passphrase for a key that is not encrypted is refused, as OPAL does",
            "rsa-pkcs8.pem",
            PASSPHRASE,
            "refused: is not encrypted, but a passphrase was given"),
        Arguments.of(
            "an OpenSSH private key says how to convert it",
            "openssh-ed25519",
            null,
            "refused: is an OpenSSH private key; convert it to PKCS#8 PEM (ssh-keygen -p -m PKCS8)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keys")
  void eachKeyReadsAsItsTypeOrIsRefusedInWords(
      String behaviour, String key, String passphrase, String expected) {
    assertEquals(expected, outcome(KEYS.get(key), passphrase));
  }

  static Stream<Arguments> derivedPublicKeys() {
    return Stream.of(
        Arguments.of("RSA from PKCS#1", "rsa-pkcs1.pem", null, "RSA"),
        Arguments.of("RSA from encrypted PKCS#8", "rsa-encrypted-pkcs8.pem", PASSPHRASE, "RSA"),
        Arguments.of(
            "RSA from legacy encrypted PEM", "rsa-legacy-encrypted.pem", PASSPHRASE, "RSA"),
        Arguments.of("P-256 from SEC1", "P-256-sec1.pem", null, "P-256"),
        Arguments.of(
            "P-256 from legacy encrypted PEM", "ec-legacy-encrypted.pem", PASSPHRASE, "P-256"),
        Arguments.of("P-384 from encrypted PKCS#8", "ec-encrypted-pkcs8.pem", PASSPHRASE, "P-384"),
        Arguments.of("P-521 from PKCS#8", "P-521-pkcs8.pem", null, "P-521"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("derivedPublicKeys")
  void theDerivedPublicKeyIsTheOneOpensslDerives(
      String behaviour, String key, String passphrase, String opensslPublic) {
    assertEquals(
        PUBLIC.get(opensslPublic),
        PublicKeys.spkiPem(PrivateKeys.read(KEYS.get(key), passphrase).publicKey()));
  }

  static Stream<Arguments> broken() {
    String pem = "rsa-pkcs8.pem";
    return Stream.of(
        Arguments.of(
            "a body cut short is no PKCS#8 structure",
            cut(pem, 400),
            "does not parse: PRIVATE KEY is not a PKCS#8 structure"),
        Arguments.of(
            "a body cut to a length base64 cannot have is not base64",
            cut(pem, 401),
            "does not parse: the PEM body is not base64"),
        Arguments.of(
            "an unknown header names the block",
            KEYS.get(pem).replace("PRIVATE KEY", "FOO KEY"),
            "is a PEM FOO KEY block; expected PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY"),
        Arguments.of(
            "a public key is not a private key",
            PUBLIC.get("RSA"),
            "is a PUBLIC KEY, not a private key"),
        Arguments.of(
            "garbage DER is no PKCS#8 structure",
            PemText.write("PRIVATE KEY", new byte[] {0x30, 0x03, 0x02, 0x01}),
            "does not parse: PRIVATE KEY is not a PKCS#8 structure"),
        Arguments.of(
            "garbage DER labelled PKCS#1 is no PKCS#1 structure",
            PemText.write("RSA PRIVATE KEY", new byte[] {4, 2, 1, 1}),
            "does not parse: RSA PRIVATE KEY is not a PKCS#1 structure"),
        Arguments.of(
            "BEGIN and END that name different blocks match nothing",
            KEYS.get("rsa-pkcs1.pem").replace("END RSA PRIVATE KEY", "END PRIVATE KEY"),
            "does not parse as a PEM private key (no BEGIN … PRIVATE KEY line with a matching END line)"),
        Arguments.of(
            "an encrypted PEM without DEK-Info says what it lacks",
            KEYS.get("rsa-legacy-encrypted.pem").replaceAll("DEK-Info: [^\\n]*\\n", ""),
            "does not parse: an encrypted PEM needs Proc-Type: 4,ENCRYPTED and DEK-Info headers"),
        Arguments.of("empty text is empty", " \n", "is empty"));
  }

  /** The key named, its base64 body cut to {@code chars} characters. */
  private static String cut(String key, int chars) {
    String text = KEYS.get(key);
    int start = text.indexOf('\n') + 1;
    String body = text.substring(start, text.indexOf("-----END")).replace("\n", "");
    return text.substring(0, start)
        + body.substring(0, chars)
        + "\n"
        + text.substring(text.indexOf("-----END"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("broken")
  void brokenKeysAreRefusedInWords(String behaviour, String text, String message) {
    assertEquals("refused: " + message, outcome(text, null));
  }

  @Test
  void withoutAPassphraseSettingEncryptedKeysAreRefusedAsToday() {
    assertEquals(
        "is an encrypted PKCS#8 key; give the key unencrypted (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY PEM)",
        assertThrows(
                IllegalArgumentException.class,
                () -> PrivateKeys.readUnencrypted(KEYS.get("rsa-encrypted-pkcs8.pem")))
            .getMessage());
    assertEquals(
        "is an encrypted PEM (it has Proc-Type/DEK-Info headers); give the key unencrypted",
        assertThrows(
                IllegalArgumentException.class,
                () -> PrivateKeys.readUnencrypted(KEYS.get("ec-legacy-encrypted.pem")))
            .getMessage());
  }

  @Test
  void oneLineFormsReadAsTheKey() {
    String pem = KEYS.get("P-384-sec1.pem");
    assertEquals("EC P-384", outcome(pem.replace("\n", "\\n"), null));
    assertEquals("EC P-384", outcome(PemText.fromOneLine(pem.strip().replace("\n", "_")), null));
    assertEquals(
        "RSA 2048",
        outcome(
            PemText.fromOneLine(KEYS.get("rsa-legacy-encrypted.pem").strip().replace("\n", "_")),
            PASSPHRASE));
  }

  @Test
  void refusalsNeverQuoteTheKeyOrThePassphrase() {
    for (String passphrase : new String[] {"wrong", null, PASSPHRASE}) {
      for (String key :
          new String[] {"rsa-encrypted-pkcs8.pem", "rsa-legacy-encrypted.pem", "rsa-pkcs8.pem"}) {
        String result = outcome(KEYS.get(key), passphrase);
        if (result.startsWith("refused: ")) {
          assertFalse(passphrase != null && result.contains(passphrase), result);
          String bodyLine =
              Arrays.stream(KEYS.get(key).split("\n"))
                  .filter(l -> l.length() == 64)
                  .findFirst()
                  .orElseThrow();
          assertFalse(result.contains(bodyLine), result);
        }
      }
    }
  }
}
