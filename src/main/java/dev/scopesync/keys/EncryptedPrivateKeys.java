package dev.scopesync.keys;

import java.io.IOException;
import java.security.Provider;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.util.encoders.Hex;

/**
 * Decrypts a private key with its passphrase, on Bouncy Castle's bcpkix: {@code ENCRYPTED PRIVATE
 * KEY} (PKCS#8 EncryptedPrivateKeyInfo, PBES1/PBES2 with scrypt or PBKDF2, as openssl writes it)
 * and legacy encrypted PEM ({@code Proc-Type: 4,ENCRYPTED}, {@code DEK-Info}). What comes out is
 * the DER of the key inside, for {@link PrivateKeyDer} to read.
 *
 * <p>The one thing a caller must know: a wrong passphrase and a damaged ciphertext are one refusal
 * ("cannot be decrypted with the passphrase given"), like every message here a fragment for {@link
 * PrivateKeys}'s callers that quotes no byte of the key or the passphrase. Stateless; thread-safe.
 */
final class EncryptedPrivateKeys {
  private static final String WRONG_PASSPHRASE =
      "cannot be decrypted with the passphrase given (is it the right one?)";

  private EncryptedPrivateKeys() {}

  /**
   * Bouncy Castle as a provider object, never registered: the PBES2/scrypt ciphers openssl uses.
   */
  private static final class Ciphers {
    static final Provider BC = new BouncyCastleProvider();
  }

  private static char[] required(String passphrase) {
    if (passphrase == null) {
      throw new IllegalArgumentException("is encrypted, and no passphrase was given");
    }
    return passphrase.toCharArray();
  }

  /**
   * ENCRYPTED PRIVATE KEY (PKCS#8 EncryptedPrivateKeyInfo, PBES1/PBES2) to the PKCS#8 DER inside.
   *
   * @param passphrase null when none was given (refused, saying so)
   */
  static byte[] decryptPkcs8(byte[] der, String passphrase) {
    char[] secret = required(passphrase);
    PKCS8EncryptedPrivateKeyInfo encrypted;
    try {
      encrypted = new PKCS8EncryptedPrivateKeyInfo(der);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "does not parse: ENCRYPTED PRIVATE KEY is not a PKCS#8 structure");
    }
    try {
      return encrypted
          .decryptPrivateKeyInfo(
              new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(Ciphers.BC).build(secret))
          .getEncoded();
    } catch (Exception e) {
      // A wrong passphrase shows as bad padding, or as bytes that are no PrivateKeyInfo.
      throw new IllegalArgumentException(WRONG_PASSPHRASE);
    }
  }

  /**
   * RFC 1421 PEM ({@code Proc-Type: 4,ENCRYPTED}, {@code DEK-Info: <cipher>,<iv>}) to the DER
   * inside: PKCS#1 or SEC1 for {@code RSA}/{@code EC PRIVATE KEY}, PKCS#8 for {@code PRIVATE KEY}.
   *
   * @param passphrase null when none was given (refused, saying so)
   */
  static byte[] decryptLegacy(PemText.Block block, String passphrase) {
    String procType = block.header("Proc-Type");
    String dekInfo = block.header("DEK-Info");
    int comma = dekInfo == null ? -1 : dekInfo.indexOf(',');
    if (procType == null || !procType.replace(" ", "").equals("4,ENCRYPTED") || comma < 0) {
      throw new IllegalArgumentException(
          "does not parse: an encrypted PEM needs Proc-Type: 4,ENCRYPTED and "
              + "DEK-Info headers");
    }
    char[] secret = required(passphrase);
    byte[] der = PrivateKeyDer.pemBody(block);
    String cipher = dekInfo.substring(0, comma).strip();
    byte[] iv;
    try {
      iv = Hex.decode(dekInfo.substring(comma + 1).strip());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("does not parse: the DEK-Info header's IV is not hex");
    }
    byte[] decrypted;
    try {
      decrypted =
          new JcePEMDecryptorProviderBuilder()
              .setProvider(Ciphers.BC)
              .build(secret)
              .get(cipher)
              .decrypt(der, iv);
    } catch (OperatorCreationException e) {
      throw new IllegalArgumentException(
          "is encrypted with a cipher that cannot be read (" + cipher + ")");
    } catch (Exception e) {
      throw new IllegalArgumentException(WRONG_PASSPHRASE);
    }
    // A wrong passphrase passes the padding check once in 256 tries; its bytes are then no DER.
    try {
      if (!(ASN1Primitive.fromByteArray(decrypted) instanceof ASN1Sequence)) {
        throw new IOException("not a sequence");
      }
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(WRONG_PASSPHRASE);
    }
    return decrypted;
  }
}
