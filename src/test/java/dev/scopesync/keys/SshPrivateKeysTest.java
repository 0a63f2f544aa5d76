package dev.scopesync.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Scopes' ssh keys as ssh-keygen and openssl write them, checked by {@link SshPrivateKeys}. */
class SshPrivateKeysTest {
  @TempDir static Path dir;
  private static final Map<String, String> KEYS = new HashMap<>();

  @BeforeAll
  static void makeKeys() {
    KeyTools tools = new KeyTools(dir);
    for (String[] key :
        new String[][] {
          {"openssh-ed25519", "-t", "ed25519"},
          {"openssh-rsa", "-t", "rsa", "-b", "2048"},
          {"openssh-ecdsa", "-t", "ecdsa"},
          {"pem-rsa", "-t", "rsa", "-b", "2048", "-m", "PEM"},
          {"pem-ecdsa", "-t", "ecdsa", "-b", "384", "-m", "PEM"},
          {"pkcs8-rsa", "-t", "rsa", "-b", "2048", "-m", "PKCS8"}
        }) {
      String[] args = new String[key.length + 3];
      System.arraycopy(key, 1, args, 0, key.length - 1);
      args[key.length - 1] = "-N";
      args[key.length] = "";
      args[key.length + 1] = "-f";
      args[key.length + 2] = key[0];
      tools.sshKeygen(args);
      KEYS.put(key[0], tools.file(key[0]));
    }
    tools.sshKeygen("-t", "ed25519", "-N", "a passphrase", "-f", "openssh-encrypted");
    KEYS.put("openssh-encrypted", tools.file("openssh-encrypted"));
    tools.openssl("genpkey", "-algorithm", "ed25519", "-out", "pkcs8-ed25519.pem");
    KEYS.put("pkcs8-ed25519", tools.file("pkcs8-ed25519.pem"));
    tools.openssl(
        "rsa",
        "-in",
        "pem-rsa",
        "-aes256",
        "-traditional",
        "-passout",
        "pass:pw",
        "-out",
        "pem-encrypted");
    KEYS.put("pem-encrypted", tools.file("pem-encrypted"));
  }

  static Stream<Arguments> keys() {
    return Stream.of(
        Arguments.of("an OpenSSH ed25519 key passes", "openssh-ed25519", null),
        Arguments.of("an OpenSSH RSA key passes", "openssh-rsa", null),
        Arguments.of("an OpenSSH ECDSA key passes", "openssh-ecdsa", null),
        Arguments.of(
            "a passphrase-protected OpenSSH key passes the door (the clone refuses it)",
            "openssh-encrypted",
            null),
        Arguments.of("an RSA PRIVATE KEY (ssh-keygen -m PEM) passes", "pem-rsa", null),
        Arguments.of("an EC PRIVATE KEY (ssh-keygen -m PEM) passes", "pem-ecdsa", null),
        Arguments.of("a PKCS#8 RSA key (ssh-keygen -m PKCS8) passes", "pkcs8-rsa", null),
        Arguments.of("a PKCS#8 Ed25519 key (openssl genpkey) passes", "pkcs8-ed25519", null),
        Arguments.of(
            "a legacy encrypted PEM is refused",
            "pem-encrypted",
            "encrypted private keys are not supported"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keys")
  void eachKeyPassesOrIsRefusedInWords(String behaviour, String key, String problem) {
    assertEquals(problem, SshPrivateKeys.problemWith(KEYS.get(key)));
  }

  static Stream<Arguments> broken() {
    String rsa = KEYS.get("pem-rsa");
    String[] lines = rsa.split("\n");
    String cut =
        lines[0] + "\n" + lines[1] + "\n" + lines[2] + "\n" + lines[lines.length - 1] + "\n";
    return Stream.of(
        Arguments.of(
            "a key on one line misses its newlines",
            rsa.replace("\n", " "),
            "must be a multi-line PEM or OpenSSH private key (newlines missing)"),
        Arguments.of("a PKCS#1 body cut short is not DER", cut, "the PEM body is not a DER key"),
        Arguments.of(
            "a public key header is not a private key",
            rsa.replace("RSA PRIVATE KEY", "RSA PUBLIC KEY"),
            "is not a PEM or OpenSSH private key"),
        Arguments.of(
            "an unknown private key header is named",
            rsa.replace("RSA PRIVATE KEY", "FOO PRIVATE KEY"),
            "unsupported key type 'FOO PRIVATE KEY'"),
        Arguments.of(
            "garbage DER labelled PKCS#8 does not parse",
            PemText.write("PRIVATE KEY", new byte[] {0x30, 0x03, 2, 1, 0}),
            "the PKCS#8 body does not parse as a private key"),
        Arguments.of(
            "an OpenSSH block without OpenSSH's magic is not OpenSSH",
            KEYS.get("openssh-rsa")
                .replace(
                    KEYS.get("openssh-rsa").split("\n")[1],
                    "AAAA" + KEYS.get("openssh-rsa").split("\n")[1].substring(4)),
            "is not an OpenSSH private key"),
        Arguments.of(
            "BEGIN and END that name different blocks match nothing",
            rsa.replace("END RSA", "END EC"),
            "is not a PEM or OpenSSH private key"),
        Arguments.of(
            "text after the END line is not a key",
            rsa + "trailing words\n",
            "is not a PEM or OpenSSH private key"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("broken")
  void brokenKeysAreRefusedInWords(String behaviour, String text, String problem) {
    assertEquals(problem, SshPrivateKeys.problemWith(text));
  }
}
