package dev.scopesync.signing;

import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;

/**
 * The JWS algorithms a scopesync bundle signature may use (the asymmetric ones OPA verifies), with
 * the JDK signature each stands for.
 *
 * <ul>
 *   <li>{@code RS*}: RSASSA-PKCS1-v1_5;
 *   <li>{@code PS*}: RSASSA-PSS, MGF1 with the same hash, salt as long as the hash (RFC 7518 §3.5,
 *       what Go's jwx signs with);
 *   <li>{@code ES*}: ECDSA on the curve the algorithm names, the signature as raw {@code r‖s} of
 *       fixed width (RFC 7518 §3.4; the JDK's {@code inP1363Format}, not DER).
 * </ul>
 *
 * <p>Immutable; each call of {@link #newSignature()} gives a new, unshared {@link Signature}.
 */
public enum SigningAlgorithm {
  RS256("RSA", "SHA256withRSA", null, 0, null),
  RS384("RSA", "SHA384withRSA", null, 0, null),
  RS512("RSA", "SHA512withRSA", null, 0, null),
  PS256("RSA", "RSASSA-PSS", MGF1ParameterSpec.SHA256, 32, null),
  PS384("RSA", "RSASSA-PSS", MGF1ParameterSpec.SHA384, 48, null),
  PS512("RSA", "RSASSA-PSS", MGF1ParameterSpec.SHA512, 64, null),
  ES256("EC", "SHA256withECDSAinP1363Format", null, 0, "P-256"),
  ES384("EC", "SHA384withECDSAinP1363Format", null, 0, "P-384"),
  ES512("EC", "SHA512withECDSAinP1363Format", null, 0, "P-521");

  /** {@code bundles.signingAlgorithm}'s default, as OPA's ({@code defaultTokenSigningAlg}). */
  public static final SigningAlgorithm DEFAULT = RS256;

  private final String keyType;
  private final String jdkName;
  private final MGF1ParameterSpec pssHash;
  private final int pssSaltLength;
  private final String curve;

  SigningAlgorithm(
      String keyType, String jdkName, MGF1ParameterSpec pssHash, int pssSaltLength, String curve) {
    this.keyType = keyType;
    this.jdkName = jdkName;
    this.pssHash = pssHash;
    this.pssSaltLength = pssSaltLength;
    this.curve = curve;
  }

  /**
   * The algorithm named by a {@code bundles.signingAlgorithm} value: a JWS name, exactly as written
   * (JWS names are case-sensitive); null or blank means {@link #DEFAULT}.
   *
   * @throws IllegalArgumentException naming {@code bundles.signingAlgorithm} for any other value
   */
  public static SigningAlgorithm fromConfig(String value) {
    if (value == null || value.isBlank()) {
      return DEFAULT;
    }
    String name = value.strip();
    for (SigningAlgorithm algorithm : values()) {
      if (algorithm.name().equals(name)) {
        return algorithm;
      }
    }
    // Echo the value only when it looks like an algorithm name: a misplaced key must not be logged.
    String shown = name.matches("[A-Za-z0-9_-]{1,16}") ? "'" + name + "'" : "the value given";
    throw new IllegalArgumentException(
        BundleSigner.ALGORITHM_SETTING
            + ": "
            + shown
            + " is not a supported algorithm; use one of RS256, RS384, RS512, PS256, PS384, PS512, "
            + "ES256, ES384, ES512");
  }

  /** {@code "RSA"} or {@code "EC"}: the JDK key algorithm this signature needs. */
  public String keyType() {
    return keyType;
  }

  /**
   * For ES algorithms, the NIST curve the key must be on ({@code P-256}, {@code P-384}, {@code
   * P-521}); else null.
   */
  public String curve() {
    return curve;
  }

  /** A new JDK signature for this algorithm, PSS parameters already set. */
  Signature newSignature() throws GeneralSecurityException {
    Signature signature = Signature.getInstance(jdkName);
    if (pssHash != null) {
      signature.setParameter(
          new PSSParameterSpec(
              pssHash.getDigestAlgorithm(),
              "MGF1",
              pssHash,
              pssSaltLength,
              PSSParameterSpec.TRAILER_FIELD_BC));
    }
    return signature;
  }
}
