package dev.scopesync.keys;

import java.io.IOException;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Map;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

/**
 * Reads the DER structures of an unencrypted private key into a {@link PrivateKeyPair}: PKCS#8
 * PrivateKeyInfo (RSA or EC), PKCS#1 RSAPrivateKey and SEC1 ECPrivateKey on P-256, P-384 or P-521.
 * The public half is derived from the private numbers ({@code n, e} for RSA, {@code d·G} for EC),
 * never taken from the optional public-key fields.
 *
 * <p>The one thing a caller must know: every refusal is a fragment for {@link PrivateKeys}'s
 * callers ({@code "does not parse: …"}, {@code "is an Ed25519 key; …"}) with no cause attached and
 * no byte of the key in it. Stateless; thread-safe.
 */
final class PrivateKeyDer {
  private static final String RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
  private static final String EC_PUBLIC_KEY = "1.2.840.10045.2.1";
  private static final Map<String, String> CURVES =
      Map.of(
          "1.2.840.10045.3.1.7", "P-256",
          "1.3.132.0.34", "P-384",
          "1.3.132.0.35", "P-521");
  private static final Map<String, String> JDK_CURVE_NAMES =
      Map.of(
          "P-256", "secp256r1",
          "P-384", "secp384r1",
          "P-521", "secp521r1");
  private static final Map<String, String> OTHER_KEY_TYPES =
      Map.of(
          "1.3.101.112", "an Ed25519 key",
          "1.3.101.113", "an Ed448 key",
          "1.3.101.110", "an X25519 key",
          "1.2.840.113549.1.1.10",
              "an RSASSA-PSS-only key (OPA reads only plain rsaEncryption RSA keys)",
          "1.2.840.10040.4.1", "a DSA key");

  private PrivateKeyDer() {}

  /**
   * The key in {@code der}, read as the structure PEM label {@code label} names: PKCS#1 for {@code
   * RSA PRIVATE KEY}, SEC1 for {@code EC PRIVATE KEY}, PKCS#8 otherwise.
   */
  static PrivateKeyPair keyOf(String label, byte[] der) {
    return switch (label) {
      case "RSA PRIVATE KEY" -> rsa(pkcs1(der(der, "RSA PRIVATE KEY is not a PKCS#1 structure")));
      case "EC PRIVATE KEY" -> sec1(der(der, "EC PRIVATE KEY is not a SEC1 structure"), null);
      default -> pkcs8(der);
    };
  }

  /** The DER in {@code block}'s body, refused in the words of {@link PrivateKeys}. */
  static byte[] pemBody(PemText.Block block) {
    try {
      return block.bytes();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("does not parse: the PEM body is not base64");
    }
  }

  /** The one element {@code bytes} hold, or a refusal that says {@code notWhat}. */
  private static ASN1Primitive der(byte[] bytes, String notWhat) {
    try {
      ASN1Primitive element = ASN1Primitive.fromByteArray(bytes);
      if (element == null) {
        throw new IOException("empty");
      }
      return element;
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("does not parse: " + notWhat);
    }
  }

  /**
   * PrivateKeyInfo: SEQUENCE { version, AlgorithmIdentifier, OCTET STRING key, [0] attrs, [1]
   * public key }.
   */
  static PrivateKeyPair pkcs8(byte[] der) {
    String algorithm;
    ASN1Encodable algorithmParameters;
    byte[] inner;
    try {
      PrivateKeyInfo info =
          PrivateKeyInfo.getInstance(der(der, "PRIVATE KEY is not a PKCS#8 structure"));
      algorithm = info.getPrivateKeyAlgorithm().getAlgorithm().getId();
      algorithmParameters = info.getPrivateKeyAlgorithm().getParameters();
      inner = info.getPrivateKey().getOctets();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("does not parse: PRIVATE KEY is not a PKCS#8 structure");
    }
    if (algorithm.equals(RSA_ENCRYPTION)) {
      return rsa(pkcs1(innerKey(inner, "an RSA")));
    }
    if (algorithm.equals(EC_PUBLIC_KEY)) {
      if (!(algorithmParameters instanceof ASN1ObjectIdentifier curve)) {
        throw new IllegalArgumentException(
            "is an EC key with explicit curve parameters; use a key on a "
                + "named curve (P-256, P-384 or P-521)");
      }
      return sec1(innerKey(inner, "an EC"), curve.getId());
    }
    String what = OTHER_KEY_TYPES.getOrDefault(algorithm, "a key of algorithm " + algorithm);
    throw new IllegalArgumentException("is " + what + "; bundle signing needs an RSA or EC key");
  }

  private static ASN1Primitive innerKey(byte[] inner, String kind) {
    return der(inner, "PRIVATE KEY holds " + kind + " key that is malformed");
  }

  /** RSAPrivateKey: SEQUENCE { version, n, e, d, p, q, dP, dQ, qInv [, otherPrimeInfos] }. */
  private static RSAPrivateCrtKeySpec pkcs1(ASN1Primitive der) {
    int fieldCount;
    BigInteger[] numbers = new BigInteger[9];
    try {
      ASN1Sequence fields = ASN1Sequence.getInstance(der);
      fieldCount = fields.size();
      for (int i = 0; i < Math.min(fieldCount, numbers.length); i++) {
        numbers[i] = ASN1Integer.getInstance(fields.getObjectAt(i)).getValue();
      }
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "does not parse: RSA PRIVATE KEY is not a PKCS#1 structure");
    }
    if (numbers[0] != null && numbers[0].signum() != 0) {
      throw new IllegalArgumentException("is a multi-prime RSA key, which is not supported");
    }
    if (fieldCount != numbers.length) {
      throw new IllegalArgumentException(
          "does not parse: RSA PRIVATE KEY is not a PKCS#1 structure");
    }
    for (int i = 1; i < numbers.length; i++) {
      if (numbers[i].signum() <= 0) {
        throw new IllegalArgumentException(
            "does not parse: RSA PRIVATE KEY has a number that is not positive");
      }
    }
    return new RSAPrivateCrtKeySpec(
        numbers[1],
        numbers[2],
        numbers[3],
        numbers[4],
        numbers[5],
        numbers[6],
        numbers[7],
        numbers[8]);
  }

  private static PrivateKeyPair rsa(RSAPrivateCrtKeySpec spec) {
    try {
      KeyFactory factory = KeyFactory.getInstance("RSA");
      PrivateKey privateKey = factory.generatePrivate(spec);
      PublicKey publicKey =
          factory.generatePublic(new RSAPublicKeySpec(spec.getModulus(), spec.getPublicExponent()));
      return new PrivateKeyPair(privateKey, publicKey, null);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("does not parse: the JDK refuses the RSA key numbers");
    }
  }

  /**
   * ECPrivateKey (SEC1): SEQUENCE { version 1, OCTET STRING d, [0] named curve OID, [1] public key
   * }. Inside PKCS#8 the curve is usually only in the outer AlgorithmIdentifier ({@code
   * outerCurveOid}).
   */
  private static PrivateKeyPair sec1(ASN1Primitive der, String outerCurveOid) {
    BigInteger d;
    String curveOid = outerCurveOid;
    try {
      ASN1Sequence fields = ASN1Sequence.getInstance(der);
      if (!ASN1Integer.getInstance(fields.getObjectAt(0)).hasValue(1)) {
        throw new IllegalArgumentException("version");
      }
      d = new BigInteger(1, ASN1OctetString.getInstance(fields.getObjectAt(1)).getOctets());
      for (int i = 2; i < fields.size(); i++) {
        if (fields.getObjectAt(i) instanceof ASN1TaggedObject tagged && tagged.getTagNo() == 0) {
          String inner = ASN1ObjectIdentifier.getInstance(tagged.getExplicitBaseObject()).getId();
          if (curveOid != null && !curveOid.equals(inner)) {
            throw new IllegalArgumentException("two curves");
          }
          curveOid = inner;
        }
      }
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "does not parse: EC PRIVATE KEY is not a SEC1 structure with a named " + "curve");
    }
    if (curveOid == null) {
      throw new IllegalArgumentException(
          "is an EC key that does not name its curve; use a PEM with the named "
              + "curve (openssl writes it)");
    }
    String curve = CURVES.get(curveOid);
    if (curve == null) {
      throw new IllegalArgumentException(
          "is an EC key on curve " + curveOid + ", which is not P-256, P-384 or P-521");
    }
    X9ECParameters bcCurve = ECNamedCurveTable.getByName(curve);
    if (d.signum() <= 0 || d.compareTo(bcCurve.getN()) >= 0) {
      throw new IllegalArgumentException(
          "is an EC key whose private number is out of range for " + curve);
    }
    try {
      AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
      parameters.init(new ECGenParameterSpec(JDK_CURVE_NAMES.get(curve)));
      ECParameterSpec jdkCurve = parameters.getParameterSpec(ECParameterSpec.class);
      // Q = d·G: the public point, computed rather than trusted from the optional [1] field.
      ECPoint q = new FixedPointCombMultiplier().multiply(bcCurve.getG(), d).normalize();
      java.security.spec.ECPoint w =
          new java.security.spec.ECPoint(
              q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
      KeyFactory factory = KeyFactory.getInstance("EC");
      return new PrivateKeyPair(
          factory.generatePrivate(new ECPrivateKeySpec(d, jdkCurve)),
          factory.generatePublic(new ECPublicKeySpec(w, jdkCurve)),
          curve);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("does not parse: the JDK refuses the EC key on " + curve);
    }
  }
}
