package dev.scopesync.signing;

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
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

/**
 * Reads a PEM private key in the forms OPA's own signer takes ({@code SigningConfig.GetPrivateKey}
 * in {@code v1/bundle/keys.go}): {@code PRIVATE KEY} (PKCS#8, RSA or EC), {@code RSA PRIVATE KEY}
 * (PKCS#1) and {@code EC PRIVATE KEY} (SEC1, with its named curve), and derives the public key.
 *
 * <p>Also accepted, for keys kept in environment variables: a PEM on one line with {@code \n}
 * (backslash, n) or {@code _} for its newlines, and an {@code EC PARAMETERS} block before the key
 * (what {@code openssl ecparam -genkey} prints). Encrypted PEM is refused.
 *
 * <p>Errors are {@link IllegalArgumentException}s whose messages say what is wrong in words of
 * their own: no JDK message and no byte of the key is ever put into one, and no cause is
 * attached, so logging the exception cannot show the key.
 *
 * <p>Stateless; safe for use by any number of threads. Bouncy Castle is loaded only for EC keys
 * (the JDK has no API to compute an EC public point from the private scalar).
 */
final class PemPrivateKey {

    /** A private key and its public half. {@code curve} is {@code P-256}/{@code P-384}/{@code P-521}, or null for RSA. */
    record KeyPair(PrivateKey privateKey, PublicKey publicKey, String curve) {
        @Override
        public String toString() {
            return "KeyPair[" + privateKey.getAlgorithm() + (curve == null ? "" : " " + curve) + "]";
        }
    }

    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]{1,40})-----(.*?)-----END \\1-----", Pattern.DOTALL);

    private static final String RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
    private static final String EC_PUBLIC_KEY = "1.2.840.10045.2.1";
    private static final Map<String, String> CURVES = Map.of(
            "1.2.840.10045.3.1.7", "P-256",
            "1.3.132.0.34", "P-384",
            "1.3.132.0.35", "P-521");
    private static final Map<String, String> JDK_CURVE_NAMES = Map.of(
            "P-256", "secp256r1",
            "P-384", "secp384r1",
            "P-521", "secp521r1");
    private static final Map<String, String> OTHER_KEY_TYPES = Map.of(
            "1.3.101.112", "an Ed25519 key",
            "1.3.101.113", "an Ed448 key",
            "1.3.101.110", "an X25519 key",
            "1.2.840.113549.1.1.10", "an RSASSA-PSS-only key (OPA reads only plain rsaEncryption RSA keys)",
            "1.2.840.10040.4.1", "a DSA key");

    private PemPrivateKey() {
    }

    static KeyPair read(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("is empty");
        }
        Matcher block = BLOCK.matcher(text);
        while (block.find()) {
            String label = block.group(1);
            switch (label) {
                case "EC PARAMETERS" -> {
                    // openssl ecparam -genkey prints the curve first; the key block follows.
                }
                case "PRIVATE KEY" -> {
                    return pkcs8(body(block.group(2)));
                }
                case "RSA PRIVATE KEY" -> {
                    return rsa(pkcs1(der(body(block.group(2)), "RSA PRIVATE KEY is not a PKCS#1 structure")));
                }
                case "EC PRIVATE KEY" -> {
                    return sec1(der(body(block.group(2)), "EC PRIVATE KEY is not a SEC1 structure"), null);
                }
                case "ENCRYPTED PRIVATE KEY" -> throw new IllegalArgumentException(
                        "is an encrypted PKCS#8 key; give the key unencrypted (PRIVATE KEY, RSA PRIVATE KEY or "
                                + "EC PRIVATE KEY PEM)");
                case "OPENSSH PRIVATE KEY" -> throw new IllegalArgumentException(
                        "is an OpenSSH private key; convert it to PKCS#8 PEM (ssh-keygen -p -m PKCS8)");
                case "PUBLIC KEY", "RSA PUBLIC KEY", "CERTIFICATE" -> throw new IllegalArgumentException(
                        "is a " + label + ", not a private key");
                default -> throw new IllegalArgumentException("is a PEM " + label
                        + " block; expected PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY");
            }
        }
        throw new IllegalArgumentException("does not parse as a PEM private key (no BEGIN … PRIVATE KEY line with a "
                + "matching END line)");
    }

    private static Der der(byte[] bytes, String notWhat) {
        try {
            return Der.parseWhole(bytes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("does not parse: " + notWhat);
        }
    }

    private static byte[] body(String body) {
        if (body.indexOf(':') >= 0) {
            throw new IllegalArgumentException("is an encrypted PEM (it has Proc-Type/DEK-Info headers); give the key "
                    + "unencrypted");
        }
        // One-line forms: "\n" written out, or '_' (OPAL's convention for PEMs in variables).
        String base64 = body.replace("\\n", "").replace("\\r", "").replace("_", "").replaceAll("\\s", "");
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("does not parse: the PEM body is not base64");
        }
    }

    /** PrivateKeyInfo: SEQUENCE { version, AlgorithmIdentifier, OCTET STRING key, [0] attrs, [1] public key }. */
    private static KeyPair pkcs8(byte[] der) {
        String algorithm;
        Der algorithmParameters;
        byte[] inner;
        try {
            List<Der> fields = Der.parseWhole(der).expect(Der.SEQUENCE).children();
            fields.get(0).integer();
            List<Der> algorithmIdentifier = fields.get(1).expect(Der.SEQUENCE).children();
            algorithm = algorithmIdentifier.get(0).oid();
            algorithmParameters = algorithmIdentifier.size() > 1 ? algorithmIdentifier.get(1) : null;
            inner = fields.get(2).expect(Der.OCTET_STRING).content();
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("does not parse: PRIVATE KEY is not a PKCS#8 structure");
        }
        if (algorithm.equals(RSA_ENCRYPTION)) {
            return rsa(pkcs1(innerKey(inner, "an RSA")));
        }
        if (algorithm.equals(EC_PUBLIC_KEY)) {
            if (algorithmParameters == null || algorithmParameters.tag() != Der.OID) {
                throw new IllegalArgumentException("is an EC key with explicit curve parameters; use a key on a "
                        + "named curve (P-256, P-384 or P-521)");
            }
            String curveOid;
            try {
                curveOid = algorithmParameters.oid();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("does not parse: PRIVATE KEY has a malformed curve name");
            }
            return sec1(innerKey(inner, "an EC"), curveOid);
        }
        String what = OTHER_KEY_TYPES.getOrDefault(algorithm, "a key of algorithm " + algorithm);
        throw new IllegalArgumentException("is " + what + "; bundle signing needs an RSA or EC key");
    }

    private static Der innerKey(byte[] inner, String kind) {
        return der(inner, "PRIVATE KEY holds " + kind + " key that is malformed");
    }

    /** RSAPrivateKey: SEQUENCE { version, n, e, d, p, q, dP, dQ, qInv [, otherPrimeInfos] }. */
    private static RSAPrivateCrtKeySpec pkcs1(Der der) {
        int fieldCount;
        BigInteger[] numbers = new BigInteger[9];
        try {
            List<Der> fields = der.expect(Der.SEQUENCE).children();
            fieldCount = fields.size();
            for (int i = 0; i < Math.min(fieldCount, numbers.length); i++) {
                numbers[i] = fields.get(i).integer();
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("does not parse: RSA PRIVATE KEY is not a PKCS#1 structure");
        }
        if (numbers[0] != null && numbers[0].signum() != 0) {
            throw new IllegalArgumentException("is a multi-prime RSA key, which is not supported");
        }
        if (fieldCount != numbers.length) {
            throw new IllegalArgumentException("does not parse: RSA PRIVATE KEY is not a PKCS#1 structure");
        }
        for (int i = 1; i < numbers.length; i++) {
            if (numbers[i].signum() <= 0) {
                throw new IllegalArgumentException("does not parse: RSA PRIVATE KEY has a number that is not positive");
            }
        }
        return new RSAPrivateCrtKeySpec(numbers[1], numbers[2], numbers[3], numbers[4], numbers[5], numbers[6],
                numbers[7], numbers[8]);
    }

    private static KeyPair rsa(RSAPrivateCrtKeySpec spec) {
        try {
            KeyFactory factory = KeyFactory.getInstance("RSA");
            PrivateKey privateKey = factory.generatePrivate(spec);
            PublicKey publicKey = factory.generatePublic(new RSAPublicKeySpec(spec.getModulus(),
                    spec.getPublicExponent()));
            return new KeyPair(privateKey, publicKey, null);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("does not parse: the JDK refuses the RSA key numbers");
        }
    }

    /**
     * ECPrivateKey (SEC1): SEQUENCE { version 1, OCTET STRING d, [0] named curve OID, [1] public key }.
     * Inside PKCS#8 the curve is usually only in the outer AlgorithmIdentifier ({@code outerCurveOid}).
     */
    private static KeyPair sec1(Der der, String outerCurveOid) {
        BigInteger d;
        String curveOid = outerCurveOid;
        try {
            List<Der> fields = der.expect(Der.SEQUENCE).children();
            if (!fields.get(0).integer().equals(BigInteger.ONE)) {
                throw new IllegalArgumentException("version");
            }
            d = new BigInteger(1, fields.get(1).expect(Der.OCTET_STRING).content());
            for (Der field : fields.subList(2, fields.size())) {
                if (field.tag() == Der.CONTEXT_0) {
                    String inner = Der.parseWhole(field.content()).oid();
                    if (curveOid != null && !curveOid.equals(inner)) {
                        throw new IllegalArgumentException("two curves");
                    }
                    curveOid = inner;
                }
            }
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("does not parse: EC PRIVATE KEY is not a SEC1 structure with a named "
                    + "curve");
        }
        if (curveOid == null) {
            throw new IllegalArgumentException("is an EC key that does not name its curve; use a PEM with the named "
                    + "curve (openssl writes it)");
        }
        String curve = CURVES.get(curveOid);
        if (curve == null) {
            throw new IllegalArgumentException("is an EC key on curve " + curveOid
                    + ", which is not P-256, P-384 or P-521");
        }
        X9ECParameters bcCurve = ECNamedCurveTable.getByName(curve);
        if (d.signum() <= 0 || d.compareTo(bcCurve.getN()) >= 0) {
            throw new IllegalArgumentException("is an EC key whose private number is out of range for " + curve);
        }
        try {
            AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
            parameters.init(new ECGenParameterSpec(JDK_CURVE_NAMES.get(curve)));
            ECParameterSpec jdkCurve = parameters.getParameterSpec(ECParameterSpec.class);
            // Q = d·G: the public point, computed rather than trusted from the optional [1] field.
            ECPoint q = new FixedPointCombMultiplier().multiply(bcCurve.getG(), d).normalize();
            java.security.spec.ECPoint w = new java.security.spec.ECPoint(
                    q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
            KeyFactory factory = KeyFactory.getInstance("EC");
            return new KeyPair(factory.generatePrivate(new ECPrivateKeySpec(d, jdkCurve)),
                    factory.generatePublic(new ECPublicKeySpec(w, jdkCurve)), curve);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("does not parse: the JDK refuses the EC key on " + curve);
        }
    }
}
