package dev.scopesync.auth;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the token-verification key in the text forms OPAL's {@code AUTH_PUBLIC_KEY} takes:
 *
 * <ul>
 *   <li>PEM {@code PUBLIC KEY} (SubjectPublicKeyInfo: RSA or EC) — OPAL's {@code pem} format;
 *   <li>PEM {@code RSA PUBLIC KEY} (PKCS#1, what {@code ssh-keygen -e -m pem} prints);
 *   <li>an OpenSSH line {@code ssh-rsa AAAA… [comment]} — OPAL's default {@code ssh} format, the
 *       {@code .pub} file OPAL's docs have you make with {@code ssh-keygen -t rsa}.
 * </ul>
 *
 * <p>A PEM written on one line with {@code _} for every newline (OPAL's convention for keys in
 * environment variables) is read as the multi-line PEM it stands for. Other OpenSSH key types
 * ({@code ssh-ed25519}, {@code ecdsa-sha2-*}) are refused with a message saying so: give their
 * key as PEM instead. File paths are not read here; the configuration layer resolves them.
 */
final class PublicKeyText {
  private static final Pattern PEM =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
  private static final String SSH_RSA = "ssh-rsa";

  private PublicKeyText() {}

  /** The key {@code text} holds; {@link IllegalArgumentException} says why when it holds none. */
  static PublicKey parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("public key is empty");
    }
    String trimmed = text.strip();
    if (trimmed.contains("-----BEGIN")) {
      return fromPem(trimmed.indexOf('\n') < 0 ? trimmed.replace('_', '\n') : trimmed);
    }
    if (trimmed.startsWith("ssh-") || trimmed.startsWith("ecdsa-")) {
      return fromOpenSsh(trimmed);
    }
    throw new IllegalArgumentException(
        "public key is neither PEM (-----BEGIN PUBLIC KEY-----) nor an OpenSSH ssh-rsa line");
  }

  private static PublicKey fromPem(String text) {
    Matcher m = PEM.matcher(text);
    if (!m.find()) {
      throw new IllegalArgumentException("public key PEM has no matching BEGIN/END lines");
    }
    String label = m.group(1);
    byte[] der;
    try {
      der = Base64.getDecoder().decode(m.group(2).replaceAll("\\s", ""));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("public key PEM body is not base64");
    }
    switch (label) {
      case "PUBLIC KEY":
        return fromSubjectPublicKeyInfo(der);
      case "RSA PUBLIC KEY":
        return fromPkcs1(der);
      default:
        throw new IllegalArgumentException(
            "public key PEM is a " + label + "; expected PUBLIC KEY or RSA PUBLIC KEY");
    }
  }

  private static PublicKey fromSubjectPublicKeyInfo(byte[] der) {
    for (String algorithm : new String[] {"RSA", "EC"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // not this key type; try the next
      }
    }
    throw new IllegalArgumentException("public key PEM is not an RSA or EC SubjectPublicKeyInfo");
  }

  /** PKCS#1 RSAPublicKey: SEQUENCE { INTEGER modulus, INTEGER publicExponent }. */
  private static PublicKey fromPkcs1(byte[] der) {
    try {
      Der sequence = Der.read(der, 0, 0x30);
      if (sequence.end() != der.length) {
        throw new IllegalArgumentException("trailing bytes");
      }
      Der modulus = Der.read(der, sequence.contentStart(), 0x02);
      Der exponent = Der.read(der, modulus.end(), 0x02);
      if (exponent.end() != sequence.end()) {
        throw new IllegalArgumentException("extra fields");
      }
      return rsa(modulus.integer(der), exponent.integer(der));
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      throw new IllegalArgumentException("public key PEM is not a PKCS#1 RSA PUBLIC KEY");
    }
  }

  /** RFC 4253 §6.6: string "ssh-rsa", mpint e, mpint n. */
  private static PublicKey fromOpenSsh(String line) {
    String[] fields = line.split("\\s+");
    if (!SSH_RSA.equals(fields[0])) {
      throw new IllegalArgumentException(
          "OpenSSH public keys of type " + fields[0] + " are not supported; use ssh-rsa or PEM");
    }
    if (fields.length < 2) {
      throw new IllegalArgumentException("ssh-rsa public key has no key data");
    }
    try (DataInputStream in =
        new DataInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(fields[1])))) {
      String type = new String(sshString(in), StandardCharsets.US_ASCII);
      if (!SSH_RSA.equals(type)) {
        throw new IllegalArgumentException("ssh-rsa public key holds a " + type + " key");
      }
      BigInteger exponent = new BigInteger(sshString(in));
      BigInteger modulus = new BigInteger(sshString(in));
      if (in.available() != 0) {
        throw new IllegalArgumentException("ssh-rsa public key has trailing bytes");
      }
      return rsa(modulus, exponent);
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException("ssh-rsa public key is malformed");
    }
  }

  private static byte[] sshString(DataInputStream in) throws IOException {
    int length = in.readInt();
    if (length < 0 || length > in.available()) {
      throw new IOException("bad length");
    }
    return in.readNBytes(length);
  }

  private static PublicKey rsa(BigInteger modulus, BigInteger exponent) {
    if (modulus.signum() <= 0 || exponent.signum() <= 0) {
      throw new IllegalArgumentException("RSA numbers must be positive");
    }
    try {
      return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(modulus, exponent));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an RSA public key");
    }
  }

  /** One DER element: where its content starts and where it ends. Enough DER for PKCS#1. */
  private record Der(int contentStart, int end) {
    static Der read(byte[] der, int offset, int expectedTag) {
      if ((der[offset] & 0xff) != expectedTag) {
        throw new IllegalArgumentException("unexpected tag");
      }
      int first = der[offset + 1] & 0xff;
      int lengthStart = offset + 2;
      int length;
      if (first < 0x80) {
        length = first;
      } else {
        int count = first & 0x7f;
        if (count == 0 || count > 3) {
          throw new IllegalArgumentException("unsupported length");
        }
        length = 0;
        for (int i = 0; i < count; i++) {
          length = (length << 8) | (der[lengthStart + i] & 0xff);
        }
        lengthStart += count;
      }
      if (lengthStart + length > der.length) {
        throw new IllegalArgumentException("truncated");
      }
      return new Der(lengthStart, lengthStart + length);
    }

    BigInteger integer(byte[] der) {
      return new BigInteger(Arrays.copyOfRange(der, contentStart, end));
    }
  }
}
