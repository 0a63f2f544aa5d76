package dev.scopesync.signing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.Map;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

/**
 * Keys made with the JDK and written as PEM in each form a {@code bundles.signingKey} may take. The
 * PKCS#1 and SEC1 forms are built with Bouncy Castle's ASN.1 classes, independently of the DER code
 * under test.
 */
final class TestKeys {

  static final Map<String, String> CURVE_OIDS =
      Map.of(
          "P-256", "1.2.840.10045.3.1.7",
          "P-384", "1.3.132.0.34",
          "P-521", "1.3.132.0.35");
  private static final Map<String, String> JDK_CURVES =
      Map.of(
          "P-256", "secp256r1",
          "P-384", "secp384r1",
          "P-521", "secp521r1");

  private TestKeys() {}

  static KeyPair rsa(int bits) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(bits);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  static KeyPair ec(String curve) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec(JDK_CURVES.get(curve)));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  static String pem(String label, byte[] der) {
    return "-----BEGIN "
        + label
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + label
        + "-----\n";
  }

  /** {@code PRIVATE KEY}: the JDK's own PKCS#8 encoding. */
  static String pkcs8Pem(KeyPair keys) {
    return pem("PRIVATE KEY", keys.getPrivate().getEncoded());
  }

  /** {@code RSA PRIVATE KEY}: the PKCS#1 structure inside the JDK's PKCS#8. */
  static String pkcs1Pem(KeyPair rsa) {
    try {
      byte[] pkcs1 =
          PrivateKeyInfo.getInstance(rsa.getPrivate().getEncoded())
              .parsePrivateKey()
              .toASN1Primitive()
              .getEncoded("DER");
      return pem("RSA PRIVATE KEY", pkcs1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code EC PRIVATE KEY} as openssl writes it: SEC1 with the named curve and the public key. */
  static String sec1Pem(KeyPair ec, String curve) {
    return pem("EC PRIVATE KEY", sec1(ec, curve));
  }

  static byte[] sec1(KeyPair ec, String curve) {
    ECPrivateKey privateKey = (ECPrivateKey) ec.getPrivate();
    ECPublicKey publicKey = (ECPublicKey) ec.getPublic();
    int fieldBytes = (privateKey.getParams().getCurve().getField().getFieldSize() + 7) / 8;
    byte[] point = new byte[1 + 2 * fieldBytes];
    point[0] = 0x04;
    copyUnsigned(publicKey.getW().getAffineX(), point, 1, fieldBytes);
    copyUnsigned(publicKey.getW().getAffineY(), point, 1 + fieldBytes, fieldBytes);
    return sec1(
        privateKey.getS(),
        privateKey.getParams().getOrder().bitLength(),
        new DERBitString(point),
        CURVE_OIDS.get(curve));
  }

  static byte[] sec1(BigInteger d, int orderBits, DERBitString publicKey, String curveOid) {
    try {
      return new org.bouncycastle.asn1.sec.ECPrivateKey(
              orderBits, d, publicKey, curveOid == null ? null : new ASN1ObjectIdentifier(curveOid))
          .getEncoded("DER");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What {@code openssl ecparam -genkey} prints before the key. */
  static String ecParametersPem(String curve) {
    try {
      return pem(
          "EC PARAMETERS", new ASN1ObjectIdentifier(CURVE_OIDS.get(curve)).getEncoded("DER"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void copyUnsigned(BigInteger value, byte[] target, int offset, int length) {
    byte[] bytes = value.toByteArray();
    int skip = bytes.length > length ? bytes.length - length : 0;
    System.arraycopy(
        bytes, skip, target, offset + length - (bytes.length - skip), bytes.length - skip);
  }
}
