package dev.scopesync.keys;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * Reads a token-verification key in the text forms OPAL's {@code AUTH_PUBLIC_KEY} takes, and writes
 * a key as the PEM others read:
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
 * ({@code ssh-ed25519}, {@code ecdsa-sha2-*}) are refused with a message saying so: give their key
 * as PEM instead. The one thing a caller must know: file paths are not read here (the configuration
 * layer resolves them), and every message starts with {@code public key} or {@code ssh-rsa}.
 * Stateless; thread-safe.
 */
public final class PublicKeys {
  private static final String SSH_RSA = "ssh-rsa";
  private static final Map<String, String> SPKI_KEY_FACTORIES =
      Map.of(
          "1.2.840.113549.1.1.1", "RSA",
          "1.2.840.10045.2.1", "EC");

  private PublicKeys() {}

  /** The key {@code text} holds; {@link IllegalArgumentException} says why when it holds none. */
  public static PublicKey read(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("public key is empty");
    }
    String trimmed = text.strip();
    if (PemText.hasBeginLine(trimmed)) {
      return fromPem(PemText.fromOneLine(trimmed));
    }
    if (trimmed.startsWith("ssh-") || trimmed.startsWith("ecdsa-")) {
      return fromOpenSsh(trimmed);
    }
    throw new IllegalArgumentException(
        "public key is neither PEM (-----BEGIN PUBLIC KEY-----) nor an OpenSSH ssh-rsa line");
  }

  /** {@code key} as a {@code PUBLIC KEY} (SubjectPublicKeyInfo) PEM in 64-column lines. */
  public static String spkiPem(PublicKey key) {
    return PemText.write("PUBLIC KEY", key.getEncoded());
  }

  private static PublicKey fromPem(String text) {
    List<PemText.Block> blocks = PemText.blocks(text);
    if (blocks.isEmpty()) {
      throw new IllegalArgumentException("public key PEM has no matching BEGIN/END lines");
    }
    PemText.Block block = blocks.get(0);
    byte[] der;
    try {
      der = block.bytes();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("public key PEM body is not base64");
    }
    return switch (block.label()) {
      case "PUBLIC KEY" -> fromSubjectPublicKeyInfo(der);
      case "RSA PUBLIC KEY" -> fromPkcs1(der);
      default ->
          throw new IllegalArgumentException(
              "public key PEM is a " + block.label() + "; expected PUBLIC KEY or RSA PUBLIC KEY");
    };
  }

  private static PublicKey fromSubjectPublicKeyInfo(byte[] der) {
    try {
      String algorithm =
          SubjectPublicKeyInfo.getInstance(ASN1Primitive.fromByteArray(der))
              .getAlgorithm()
              .getAlgorithm()
              .getId();
      String factory = SPKI_KEY_FACTORIES.get(algorithm);
      if (factory != null) {
        return KeyFactory.getInstance(factory).generatePublic(new X509EncodedKeySpec(der));
      }
    } catch (Exception e) {
      // not an RSA or EC key: said below
    }
    throw new IllegalArgumentException("public key PEM is not an RSA or EC SubjectPublicKeyInfo");
  }

  /** PKCS#1 RSAPublicKey: SEQUENCE { INTEGER modulus, INTEGER publicExponent }. */
  private static PublicKey fromPkcs1(byte[] der) {
    try {
      org.bouncycastle.asn1.pkcs.RSAPublicKey rsa =
          org.bouncycastle.asn1.pkcs.RSAPublicKey.getInstance(ASN1Primitive.fromByteArray(der));
      return rsa(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
    } catch (Exception e) {
      throw new IllegalArgumentException("public key PEM is not a PKCS#1 RSA PUBLIC KEY");
    }
  }

  /** RFC 4253 §6.6, read by MINA sshd: string "ssh-rsa", mpint e, mpint n, and nothing after. */
  private static PublicKey fromOpenSsh(String line) {
    String[] fields = line.split("\\s+");
    if (!SSH_RSA.equals(fields[0])) {
      throw new IllegalArgumentException(
          "OpenSSH public keys of type " + fields[0] + " are not supported; use ssh-rsa or PEM");
    }
    if (fields.length < 2) {
      throw new IllegalArgumentException("ssh-rsa public key has no key data");
    }
    try {
      Buffer blob = new ByteArrayBuffer(Base64.getDecoder().decode(fields[1]));
      PublicKey key = blob.getRawPublicKey();
      if (blob.available() != 0 || !(key instanceof RSAPublicKey rsa)) {
        throw new IllegalArgumentException("trailing bytes, or not RSA");
      }
      return rsa(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
    } catch (Exception e) {
      throw new IllegalArgumentException("ssh-rsa public key is malformed");
    }
  }

  /** The JDK's own RSA key, whichever provider decoded the numbers. */
  private static PublicKey rsa(RSAPublicKeySpec spec) throws GeneralSecurityException {
    if (spec.getModulus().signum() <= 0 || spec.getPublicExponent().signum() <= 0) {
      throw new GeneralSecurityException("RSA numbers must be positive");
    }
    return KeyFactory.getInstance("RSA").generatePublic(spec);
  }
}
