package dev.scopesync.keys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.apache.sshd.common.config.keys.loader.openssh.OpenSSHKeyPairResourceParser;
import org.bouncycastle.asn1.ASN1InputStream;
import org.bouncycastle.asn1.ASN1Sequence;

/**
 * Checks that a scope's ssh private key has the shape of one: PEM ({@code RSA}, {@code EC}, {@code
 * DSA} or PKCS#8) or OpenSSH's own format. It is a check at the door, not the reading: the key is
 * read for each clone (MINA sshd), where a passphrase-protected OpenSSH key is refused.
 *
 * <p>The one thing a caller must know: the answer is null for a key that passes, else what is wrong
 * in words that never quote the key. Stateless; thread-safe.
 */
public final class SshPrivateKeys {
  private static final byte[] OPENSSH_MAGIC =
      (OpenSSHKeyPairResourceParser.AUTH_MAGIC + "\0").getBytes(StandardCharsets.US_ASCII);

  /**
   * After the BEGIN line: a line break, then base64 and, for encrypted PEM, its header characters.
   */
  private static final String BODY = "\\s*\\R[A-Za-z0-9+/=\\s:,-]+";

  private SshPrivateKeys() {}

  /**
   * @return null for a usable key, else what is wrong (without the key)
   */
  public static String problemWith(String key) {
    if (key.indexOf('\n') < 0) {
      return "must be a multi-line PEM or OpenSSH private key (newlines missing)";
    }
    String text = key.strip();
    List<PemText.Block> blocks = PemText.blocks(text);
    PemText.Block block = blocks.size() == 1 ? blocks.get(0) : null;
    if (block == null
        || block.start() != 0
        || block.end() != text.length()
        || !block.label().endsWith("PRIVATE KEY")
        || !block.body().matches(BODY)) {
      return "is not a PEM or OpenSSH private key";
    }
    if (block.hasHeaders()) {
      return "encrypted private keys are not supported";
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(block.body().replaceAll("\\s", ""));
    } catch (IllegalArgumentException e) {
      return "the key body is not valid base64";
    }
    return switch (block.label()) {
      case "OPENSSH PRIVATE KEY" ->
          startsWith(der, OPENSSH_MAGIC) ? null : "is not an OpenSSH private key";
      case "RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY" ->
          isDerSequence(der) ? null : "the PEM body is not a DER key";
      case "PRIVATE KEY" ->
          parsesAsPkcs8(der) ? null : "the PKCS#8 body does not parse as a private key";
      default -> "unsupported key type '" + block.label() + "'";
    };
  }

  /** A DER SEQUENCE (what PKCS#1, SEC1 and DSA keys are) whose content is all there. */
  private static boolean isDerSequence(byte[] der) {
    if (der.length <= 2) {
      return false;
    }
    try (ASN1InputStream in = new ASN1InputStream(der)) {
      return in.readObject() instanceof ASN1Sequence;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static boolean parsesAsPkcs8(byte[] der) {
    for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "DSA"}) {
      try {
        KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        return true;
      } catch (Exception e) {
        // try the next algorithm
      }
    }
    return false;
  }

  private static boolean startsWith(byte[] data, byte[] prefix) {
    return data.length >= prefix.length
        && Arrays.equals(data, 0, prefix.length, prefix, 0, prefix.length);
  }
}
