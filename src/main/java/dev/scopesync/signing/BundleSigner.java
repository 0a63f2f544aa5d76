package dev.scopesync.signing;

import dev.scopesync.digest.Sha256;
import dev.scopesync.keys.PrivateKeyPair;
import dev.scopesync.keys.PrivateKeys;
import dev.scopesync.keys.PublicKeys;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Signs OPA bundles: makes the {@code /.signatures.json} that stock OPA verifies (DESIGN §16; OPA's
 * {@code v1/bundle/verify.go}), from the {@code bundles.signing*} settings.
 *
 * <p>The file is {@code {"signatures":["<compact JWS>"]}} with one JWS whose protected header is
 * {@code {"alg":"<algorithm>","kid":"<key id>"}} and whose payload is {@code
 * {"files":[{"name":…,"hash":…,"algorithm":"SHA-256"},…]}} and nothing else. In particular there is
 * no {@code scope} claim: OPA compares it with the scope it was configured with, which is empty
 * unless an operator sets one, and refuses the bundle on any difference. Hashes are {@link
 * OpaFileHash}'s.
 *
 * <p>Construction ({@link #fromConfig}) checks everything that can be checked before the first
 * bundle: the PEM parses, the key fits the algorithm (RSA for RS/PS with at least 2048 bits; EC on
 * P-256 for ES256, P-384 for ES384, P-521 for ES512), and a test signature verifies with the
 * derived public key. Failures are {@link IllegalArgumentException}s whose message starts with the
 * setting at fault ({@value #KEY_SETTING}, {@value #ALGORITHM_SETTING}) and never contains the key
 * text; {@link #toString()} never shows the key either.
 *
 * <p>Immutable and safe for use by any number of threads: each signature uses its own {@link
 * Signature} instance. Signing costs a few milliseconds (RSA) or less (EC) plus one pass of SHA-256
 * over the files, so callers sign once per bundle build and cache the result.
 */
public final class BundleSigner {

  public static final String KEY_SETTING = "bundles.signingKey";
  public static final String ALGORITHM_SETTING = "bundles.signingAlgorithm";
  public static final String KEY_ID_SETTING = "bundles.signingKeyId";
  public static final String DEFAULT_KEY_ID = "scopesync";

  /** The tar entry to add, beside the files signed. */
  public static final String SIGNATURES_ENTRY = "/.signatures.json";

  /** The only file hash algorithm written (OPA's {@code defaultHashingAlg}). */
  public static final String FILE_HASH_ALGORITHM = "SHA-256";

  /** Go (≥ 1.24) refuses RSA keys under 1024 bits; PS512 needs more than 1024; NIST asks 2048. */
  static final int MIN_RSA_BITS = 2048;

  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
  private static final byte[] SELF_TEST =
      "scopesync bundle signing self-test".getBytes(StandardCharsets.US_ASCII);

  private final SigningAlgorithm algorithm;
  private final String keyId;
  private final PrivateKey privateKey;
  private final String publicKeyPem;
  private final String fingerprint;

  /** base64url of the protected header: the same for every signature. */
  private final String encodedHeader;

  private BundleSigner(SigningAlgorithm algorithm, String keyId, PrivateKeyPair keys) {
    this.algorithm = algorithm;
    this.keyId = keyId;
    this.privateKey = keys.privateKey();
    this.publicKeyPem = PublicKeys.spkiPem(keys.publicKey());
    this.fingerprint =
        HexFormat.of()
            .formatHex(
                Sha256.of(
                    (algorithm.name() + "\n" + keyId + "\n" + publicKeyPem)
                        .getBytes(StandardCharsets.UTF_8)));
    ByteArrayOutputStream header = new ByteArrayOutputStream();
    header.writeBytes("{\"alg\":".getBytes(StandardCharsets.US_ASCII));
    GoJsonText.writeString(header, algorithm.name());
    header.writeBytes(",\"kid\":".getBytes(StandardCharsets.US_ASCII));
    GoJsonText.writeString(header, keyId);
    header.write('}');
    this.encodedHeader = BASE64URL.encodeToString(header.toByteArray());
  }

  /**
   * A signer from the three settings.
   *
   * @param privateKeyPem {@value #KEY_SETTING}: a PEM {@code PRIVATE KEY} (PKCS#8, RSA or EC),
   *     {@code RSA PRIVATE KEY} (PKCS#1) or {@code EC PRIVATE KEY} (SEC1); required
   * @param algorithm {@value #ALGORITHM_SETTING}: RS256 (null or blank), RS384, RS512, PS256,
   *     PS384, PS512, ES256, ES384 or ES512
   * @param keyId {@value #KEY_ID_SETTING}: the JWS {@code kid}; null or blank means {@value
   *     #DEFAULT_KEY_ID}
   * @throws IllegalArgumentException naming the setting at fault and saying what is wrong
   */
  public static BundleSigner fromConfig(String privateKeyPem, String algorithm, String keyId) {
    SigningAlgorithm signingAlgorithm = SigningAlgorithm.fromConfig(algorithm);
    PrivateKeyPair keys;
    try {
      // There is no passphrase setting for this key (OPA's signer has none either).
      keys = PrivateKeys.readUnencrypted(privateKeyPem);
    } catch (IllegalArgumentException e) {
      // PrivateKeys' messages are its own words, never key text.
      throw new IllegalArgumentException(KEY_SETTING + ": " + e.getMessage());
    }
    checkFit(keys, signingAlgorithm);
    String kid = keyId == null || keyId.isBlank() ? DEFAULT_KEY_ID : keyId.strip();
    BundleSigner signer = new BundleSigner(signingAlgorithm, kid, keys);
    signer.selfTest(keys.publicKey());
    return signer;
  }

  private static void checkFit(PrivateKeyPair keys, SigningAlgorithm algorithm) {
    String have =
        keys.curve() == null
            ? "an RSA key (" + ((RSAPublicKey) keys.publicKey()).getModulus().bitLength() + " bits)"
            : "an EC " + keys.curve() + " key";
    if (!algorithm.keyType().equals(keys.privateKey().getAlgorithm())) {
      String need =
          algorithm.curve() == null ? "an RSA key" : "an EC " + algorithm.curve() + " key";
      throw new IllegalArgumentException(
          KEY_SETTING
              + ": is "
              + have
              + ", but "
              + ALGORITHM_SETTING
              + " "
              + algorithm
              + " needs "
              + need);
    }
    if (algorithm.curve() != null && !algorithm.curve().equals(keys.curve())) {
      throw new IllegalArgumentException(
          KEY_SETTING
              + ": is "
              + have
              + ", but "
              + ALGORITHM_SETTING
              + " "
              + algorithm
              + " needs an EC "
              + algorithm.curve()
              + " key (ES256: P-256, ES384: P-384, "
              + "ES512: P-521)");
    }
    if (keys.curve() == null
        && ((RSAPublicKey) keys.publicKey()).getModulus().bitLength() < MIN_RSA_BITS) {
      throw new IllegalArgumentException(
          KEY_SETTING + ": is " + have + "; RSA keys need at least " + MIN_RSA_BITS + " bits");
    }
  }

  /**
   * A key whose numbers do not belong together would sign bundles no OPA accepts: refuse it now.
   */
  private void selfTest(PublicKey publicKey) {
    boolean verified;
    try {
      byte[] signature = sign(SELF_TEST);
      Signature verifier = algorithm.newSignature();
      verifier.initVerify(publicKey);
      verifier.update(SELF_TEST);
      verified = verifier.verify(signature);
    } catch (GeneralSecurityException | IllegalStateException e) {
      verified = false;
    }
    if (!verified) {
      throw new IllegalArgumentException(
          KEY_SETTING
              + ": the key cannot make "
              + algorithm
              + " signatures that verify with its own public key (are its numbers consistent?)");
    }
  }

  /**
   * The content of {@value #SIGNATURES_ENTRY} for a bundle made of {@code files}.
   *
   * @param files every regular file of the tar, each once, in any order (the payload keeps it),
   *     except {@value #SIGNATURES_ENTRY} itself; OPA refuses a bundle with a file that is not
   *     listed, or a listed file that is missing
   * @throws IllegalArgumentException for an empty or repeated name, a name ending in {@code
   *     signatures.json} (OPA takes any such file for the signatures file and so never checks it),
   *     or a {@code data.yaml} that is not JSON ({@link OpaFileHash})
   */
  public String signaturesJson(List<BundleFile> files) {
    byte[] payload = payload(files);
    String signingInput = encodedHeader + "." + BASE64URL.encodeToString(payload);
    String jws =
        signingInput
            + "."
            + BASE64URL.encodeToString(sign(signingInput.getBytes(StandardCharsets.US_ASCII)));
    // A compact JWS is base64url and dots only: nothing to escape.
    return "{\"signatures\":[\"" + jws + "\"]}";
  }

  /** {@link #signaturesJson} as the UTF-8 bytes to store in the tar. */
  public byte[] signaturesFile(List<BundleFile> files) {
    return signaturesJson(files).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] payload(List<BundleFile> files) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes("{\"files\":[".getBytes(StandardCharsets.US_ASCII));
    Set<String> seen = new HashSet<>();
    boolean first = true;
    for (BundleFile file : files) {
      String name = file.signedName();
      if (name.isEmpty()) {
        throw new IllegalArgumentException("a bundle file has an empty name");
      }
      if (name.endsWith("signatures.json")) {
        throw new IllegalArgumentException(
            name
                + ": OPA reads every file whose path ends in signatures.json "
                + "as the bundle's signatures, so it cannot be a signed bundle file");
      }
      if (!seen.add(name)) {
        throw new IllegalArgumentException(name + " is listed twice; a tar holds each file once");
      }
      if (!first) {
        out.write(',');
      }
      first = false;
      out.writeBytes("{\"name\":".getBytes(StandardCharsets.US_ASCII));
      GoJsonText.writeString(out, name);
      out.writeBytes(
          (",\"hash\":\""
                  + OpaFileHash.sha256Hex(name, file.content())
                  + "\",\"algorithm\":\""
                  + FILE_HASH_ALGORITHM
                  + "\"}")
              .getBytes(StandardCharsets.US_ASCII));
    }
    out.writeBytes("]}".getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  private byte[] sign(byte[] input) {
    try {
      Signature signature = algorithm.newSignature();
      signature.initSign(privateKey);
      signature.update(input);
      return signature.sign();
    } catch (GeneralSecurityException e) {
      // Not expected after the self-test; the JDK's message names no key material.
      throw new IllegalStateException(
          algorithm + " signing failed: " + e.getClass().getSimpleName());
    }
  }

  /**
   * The public key as a {@code PUBLIC KEY} (SubjectPublicKeyInfo) PEM, what OPA's {@code
   * keys.<kid>.key} takes.
   */
  public String publicKeyPem() {
    return publicKeyPem;
  }

  public SigningAlgorithm algorithm() {
    return algorithm;
  }

  /** The JWS {@code kid}: the name OPA's {@code keys} entry and {@code signing.keyid} must have. */
  public String keyId() {
    return keyId;
  }

  /**
   * Lower-case hex SHA-256 over the algorithm, key id and public key: changes whenever any of them
   * does, so an ETag that includes it is never answered with a 304 across a key change.
   */
  public String fingerprint() {
    return fingerprint;
  }

  @Override
  public String toString() {
    return "BundleSigner["
        + algorithm
        + ", kid="
        + keyId
        + ", fingerprint="
        + fingerprint.substring(0, 16)
        + "]";
  }
}
