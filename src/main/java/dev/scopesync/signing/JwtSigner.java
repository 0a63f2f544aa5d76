package dev.scopesync.signing;

import dev.scopesync.keys.PemText;
import dev.scopesync.keys.PrivateKeyPair;
import dev.scopesync.keys.PrivateKeys;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Signs JWTs the way OPAL server's {@code JWTSigner} does (PyJWT): compact JWS with the header
 * {@code {"alg":…,"typ":"JWT"}} over a payload the caller encodes, from the PEM private key of
 * {@code auth.privateKey} (OPAL's {@code AUTH_PRIVATE_KEY}; its one-line form with {@code _} for
 * newlines is accepted; encrypted, with {@code auth.privateKeyPassphrase}), and the public half as
 * a JWK for {@code /.well-known/jwks.json}.
 *
 * <p>Construction checks the key reads and fits the algorithm; messages start with {@code
 * auth.privateKey} or {@code auth.algorithm} and never contain key text. Immutable and thread-safe:
 * each signature uses its own {@link Signature}.
 */
public final class JwtSigner {
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  private final SigningAlgorithm algorithm;
  private final PrivateKeyPair keys;
  private final String encodedHeader;

  private JwtSigner(SigningAlgorithm algorithm, PrivateKeyPair keys) {
    this.algorithm = algorithm;
    this.keys = keys;
    this.encodedHeader =
        BASE64URL.encodeToString(
            ("{\"alg\":\"" + algorithm.name() + "\",\"typ\":\"JWT\"}")
                .getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * @param privateKeyText an unencrypted PEM private key (PKCS#8, PKCS#1 RSA or SEC1 EC), newlines
   *     or OPAL's {@code _}
   * @param algorithmName a JWS name (RS/PS/ES 256/384/512); null means RS256
   * @throws IllegalArgumentException naming the setting at fault
   */
  public static JwtSigner of(String privateKeyText, String algorithmName) {
    return of(privateKeyText, null, algorithmName);
  }

  /**
   * @param privateKeyText a PEM private key (PKCS#8, PKCS#1 RSA or SEC1 EC, or one of them
   *     encrypted: {@code ENCRYPTED PRIVATE KEY} or {@code Proc-Type: 4,ENCRYPTED}), newlines or
   *     OPAL's {@code _}
   * @param passphrase {@code auth.privateKeyPassphrase}: what decrypts an encrypted key; null when
   *     not set. As in OPAL, setting it for a key that is not encrypted is an error
   * @param algorithmName a JWS name (RS/PS/ES 256/384/512); null means RS256
   * @throws IllegalArgumentException naming the setting at fault; never quoting the key or
   *     passphrase
   */
  /**
   * As {@link #of(String, String, String)}, made once per process for the same key, passphrase and
   * algorithm: the start-up check reads (and for an encrypted key decrypts, a deliberately slow
   * step) the key off the event loop, and the HTTP verticle's start finds it made.
   */
  public static JwtSigner shared(String privateKeyText, String passphrase, String algorithmName) {
    List<String> key = Arrays.asList(privateKeyText, passphrase, algorithmName);
    JwtSigner made = SHARED.get(key);
    if (made == null) {
      made = of(privateKeyText, passphrase, algorithmName);
      JwtSigner raced = SHARED.putIfAbsent(key, made);
      made = raced != null ? raced : made;
    }
    return made;
  }

  private static final Map<List<String>, JwtSigner> SHARED = new ConcurrentHashMap<>();

  public static JwtSigner of(String privateKeyText, String passphrase, String algorithmName) {
    SigningAlgorithm algorithm;
    try {
      algorithm = SigningAlgorithm.fromConfig(algorithmName);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "auth.algorithm: " + e.getMessage().substring(e.getMessage().indexOf(':') + 2));
    }
    PrivateKeyPair keys;
    try {
      keys = PrivateKeys.read(PemText.fromOneLine(privateKeyText), passphrase);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "auth.privateKey " + e.getMessage() + passphraseHint(e.getMessage()));
    }
    if (!algorithm.keyType().equals(keys.privateKey().getAlgorithm())
        || (algorithm.curve() != null && !algorithm.curve().equals(keys.curve()))) {
      throw new IllegalArgumentException(
          "auth.privateKey does not fit auth.algorithm "
              + algorithm
              + " (RS/PS need an RSA key, ES256/384/512 an EC P-256/P-384/P-521 key)");
    }
    return new JwtSigner(algorithm, keys);
  }

  /** Which setting to look at when the passphrase is the problem. */
  private static String passphraseHint(String message) {
    return message.contains("passphrase") ? " (auth.privateKeyPassphrase)" : "";
  }

  /** The compact JWT of {@code payloadJson} (UTF-8 JSON text of the claims). */
  public String sign(String payloadJson) {
    String signingInput =
        encodedHeader
            + "."
            + BASE64URL.encodeToString(payloadJson.getBytes(StandardCharsets.UTF_8));
    try {
      Signature signature = algorithm.newSignature();
      signature.initSign(keys.privateKey());
      signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + BASE64URL.encodeToString(signature.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("signing with " + algorithm + " failed", e);
    }
  }

  public String algorithm() {
    return algorithm.name();
  }

  /** The public key as one JWK's JSON text (RFC 7517/7518), as PyJWT's {@code to_jwk} writes it. */
  public String publicJwk() {
    if (keys.publicKey() instanceof RSAPublicKey rsa) {
      return "{\"kty\":\"RSA\",\"alg\":\""
          + algorithm
          + "\",\"use\":\"sig\",\"n\":\""
          + unsigned(rsa.getModulus(), 0)
          + "\",\"e\":\""
          + unsigned(rsa.getPublicExponent(), 0)
          + "\"}";
    }
    ECPublicKey ec = (ECPublicKey) keys.publicKey();
    int size = (ec.getParams().getCurve().getField().getFieldSize() + 7) / 8;
    return "{\"kty\":\"EC\",\"alg\":\""
        + algorithm
        + "\",\"use\":\"sig\",\"crv\":\""
        + keys.curve()
        + "\",\"x\":\""
        + unsigned(ec.getW().getAffineX(), size)
        + "\",\"y\":\""
        + unsigned(ec.getW().getAffineY(), size)
        + "\"}";
  }

  /** base64url of the big-endian magnitude, left-padded to {@code width} bytes (EC coordinates). */
  private static String unsigned(BigInteger value, int width) {
    byte[] bytes = value.toByteArray();
    if (bytes.length > 1 && bytes[0] == 0) {
      bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
    }
    if (bytes.length < width) {
      byte[] padded = new byte[width];
      System.arraycopy(bytes, 0, padded, width - bytes.length, bytes.length);
      bytes = padded;
    }
    return BASE64URL.encodeToString(bytes);
  }

  @Override
  public String toString() {
    return "JwtSigner[" + algorithm + "]";
  }
}
