package dev.scopesync.validation;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks that an ssh private key is one: PEM ({@code RSA}, {@code EC}, {@code DSA} or
 * PKCS#8) or OpenSSH's own format. It never puts the key in a message.
 */
final class PrivateKeyCheck {
  private static final Pattern ARMOR = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----\\s*\\R([A-Za-z0-9+/=\\s:,-]+?)-----END \\1-----\\s*", Pattern.DOTALL);
  private static final byte[] OPENSSH_MAGIC = "openssh-key-v1\0".getBytes(StandardCharsets.US_ASCII);

  private PrivateKeyCheck() {}

  /** @return null for a usable key, else what is wrong (without the key) */
  static String problemWith(String key) {
    if (key.indexOf('\n') < 0) {
      return "must be a multi-line PEM or OpenSSH private key (newlines missing)";
    }
    Matcher m = ARMOR.matcher(key.strip() + "\n");
    if (!m.matches()) {
      return "is not a PEM or OpenSSH private key";
    }
    String kind = m.group(1);
    String body = m.group(2);
    if (body.contains(":")) {
      return "encrypted private keys are not supported";
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(body.replaceAll("\\s", ""));
    } catch (IllegalArgumentException e) {
      return "the key body is not valid base64";
    }
    return switch (kind) {
      case "OPENSSH PRIVATE KEY" -> startsWith(der, OPENSSH_MAGIC) ? null : "is not an OpenSSH private key";
      case "RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY" ->
          der.length > 2 && der[0] == 0x30 ? null : "the PEM body is not a DER key";
      case "PRIVATE KEY" -> parsesAsPkcs8(der) ? null : "the PKCS#8 body does not parse as a private key";
      default -> "unsupported key type '" + kind + "'";
    };
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
    if (data.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (data[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
