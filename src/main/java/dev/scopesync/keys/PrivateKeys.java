package dev.scopesync.keys;

/**
 * Reads a PEM private key in the forms OPA's own signer takes ({@code SigningConfig.GetPrivateKey}
 * in {@code v1/bundle/keys.go}): {@code PRIVATE KEY} (PKCS#8, RSA or EC), {@code RSA PRIVATE KEY}
 * (PKCS#1) and {@code EC PRIVATE KEY} (SEC1, with its named curve), and derives the public key.
 * With a passphrase ({@link #read(String, String)}) it also reads {@code ENCRYPTED PRIVATE KEY}
 * (encrypted PKCS#8) and legacy encrypted PEM ({@code Proc-Type: 4,ENCRYPTED}).
 *
 * <p>Also accepted, for keys kept in environment variables: a PEM on one line with {@code \n}
 * (backslash, n) or {@code _} for its newlines, and an {@code EC PARAMETERS} block before the key
 * (what {@code openssl ecparam -genkey} prints).
 *
 * <p>The one thing a caller must know: messages are fragments to put after the setting's name
 * ({@code "does not parse: …"}, {@code "is an Ed25519 key; …"}); none quotes a byte of the key or
 * the passphrase, and no cause is attached. Stateless; safe for use by any number of threads.
 */
public final class PrivateKeys {
  private PrivateKeys() {}

  /**
   * The key {@code text} holds, which must not be encrypted (there is no passphrase to give).
   *
   * @throws IllegalArgumentException saying what is wrong; an encrypted key is refused saying so
   */
  public static PrivateKeyPair readUnencrypted(String text) {
    return read(text, null, false);
  }

  /**
   * The key {@code text} holds, decrypted with {@code passphrase} when it is encrypted. As OPAL
   * (Python's {@code cryptography}) does, a passphrase is an error for a key that is not encrypted,
   * and its UTF-8 bytes are what decrypts an encrypted PKCS#8 key.
   *
   * @param passphrase null when none was given
   * @throws IllegalArgumentException saying what is wrong: also a missing or wrong passphrase
   */
  public static PrivateKeyPair read(String text, String passphrase) {
    return read(text, passphrase, true);
  }

  private static PrivateKeyPair read(String text, String passphrase, boolean decrypts) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("is empty");
    }
    for (PemText.Block block : PemText.blocks(text)) {
      String label = block.label();
      switch (label) {
        case "EC PARAMETERS" -> {
          // openssl ecparam -genkey prints the curve first; the key block follows.
        }
        case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY" -> {
          if (block.hasHeaders()) {
            if (!decrypts) {
              throw new IllegalArgumentException(
                  "is an encrypted PEM (it has Proc-Type/DEK-Info headers); give "
                      + "the key unencrypted");
            }
            return PrivateKeyDer.keyOf(
                label, EncryptedPrivateKeys.decryptLegacy(block, passphrase));
          }
          byte[] der = PrivateKeyDer.pemBody(block);
          if (passphrase != null) {
            throw new IllegalArgumentException("is not encrypted, but a passphrase was given");
          }
          return PrivateKeyDer.keyOf(label, der);
        }
        case "ENCRYPTED PRIVATE KEY" -> {
          if (!decrypts) {
            throw new IllegalArgumentException(
                "is an encrypted PKCS#8 key; give the key unencrypted (PRIVATE KEY, "
                    + "RSA PRIVATE KEY or EC PRIVATE KEY PEM)");
          }
          return PrivateKeyDer.pkcs8(
              EncryptedPrivateKeys.decryptPkcs8(PrivateKeyDer.pemBody(block), passphrase));
        }
        case "OPENSSH PRIVATE KEY" ->
            throw new IllegalArgumentException(
                "is an OpenSSH private key; convert it to PKCS#8 PEM (ssh-keygen -p -m PKCS8)");
        case "PUBLIC KEY", "RSA PUBLIC KEY", "CERTIFICATE" ->
            throw new IllegalArgumentException("is a " + label + ", not a private key");
        default ->
            throw new IllegalArgumentException(
                "is a PEM "
                    + label
                    + " block; expected PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY");
      }
    }
    throw new IllegalArgumentException(
        "does not parse as a PEM private key (no BEGIN … PRIVATE KEY line with a "
            + "matching END line)");
  }
}
