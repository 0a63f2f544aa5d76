package dev.scopesync.auth;

import dev.scopesync.config.ServerConfig;
import dev.scopesync.keys.PublicKeys;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * What a request may do, decided from its bearer token, the way OPAL server decides it.
 *
 * <p>Disabled (no public key configured), every request may do everything. Enabled, a request needs
 * a JWT signed with the configured algorithm by the private half of the configured key, whose
 * {@code aud} includes the audience and whose {@code iss} is the issuer (OPAL's {@code
 * AUTH_JWT_AUDIENCE}/{@code AUTH_JWT_ISSUER}), not expired ({@code exp}), already valid ({@code
 * nbf}, {@code iat}), with a UUID {@code sub} — PyJWT's and OPAL's checks, no leeway. What the
 * token then permits is the {@link Claims}' business.
 *
 * <p>Verification is CPU-only (one RSA or EC signature check) and never blocks: call it on an event
 * loop. Immutable; thread-safe; one instance serves every verticle.
 */
public final class AccessPolicy {
  /**
   * OPAL's defaults: {@code AUTH_JWT_ALGORITHM}, {@code AUTH_JWT_AUDIENCE}, {@code
   * AUTH_JWT_ISSUER}.
   */
  public static final String DEFAULT_ALGORITHM = "RS256";

  public static final String DEFAULT_AUDIENCE = "https://api.opal.ac/v1/";
  public static final String DEFAULT_ISSUER = "https://opal.ac/";

  /** OPAL's own words where OPAL has them. */
  static final String CANNOT_DECODE = "Could not decode access token";

  static final String EXPIRED = "Access token is expired";
  static final String NOT_YET_VALID = "Access token is not yet valid";
  static final String BAD_ALGORITHM = "Invalid access token: signing algorithm not allowed";
  static final String BAD_AUDIENCE = "Invalid access token: invalid audience claim";
  static final String BAD_ISSUER = "Invalid access token: invalid issuer claim";
  static final String BAD_SUBJECT = "invalid sub claim";

  private static final AccessPolicy DISABLED = new AccessPolicy(null, null, null, null, null);

  private final JWTAuth signatures;
  private final String algorithm;
  private final String audience;
  private final String issuer;
  private final Clock clock;

  private AccessPolicy(
      JWTAuth signatures, String algorithm, String audience, String issuer, Clock clock) {
    this.signatures = signatures;
    this.algorithm = algorithm;
    this.audience = audience;
    this.issuer = issuer;
    this.clock = clock;
  }

  /** Auth off: everything allowed (OPAL without {@code AUTH_PUBLIC_KEY}). */
  /** The policy the configuration asks for: off without {@code auth.publicKey}. */
  public static AccessPolicy of(Vertx vertx, ServerConfig config) {
    return config.authPublicKey() == null
        ? disabled()
        : create(
            vertx,
            config.authPublicKey(),
            config.authAlgorithm(),
            config.authAudience(),
            config.authIssuer());
  }

  public static AccessPolicy disabled() {
    return DISABLED;
  }

  /**
   * The policy for the {@code auth.publicKey} setting: disabled when it is null or blank, else
   * enabled with OPAL's default algorithm, audience and issuer.
   */
  public static AccessPolicy fromPublicKey(Vertx vertx, String publicKeyOrNull) {
    if (publicKeyOrNull == null || publicKeyOrNull.isBlank()) {
      return disabled();
    }
    return create(vertx, publicKeyOrNull, null, null, null);
  }

  /**
   * Auth on: verifies JWTs signed with {@code algorithm} by the private half of {@code
   * publicKeyPem}, issued by {@code issuer} for {@code audience}.
   *
   * @param publicKeyPem PEM ({@code PUBLIC KEY} or {@code RSA PUBLIC KEY}, also written on one line
   *     with {@code _} for newlines, as OPAL allows) or an OpenSSH {@code ssh-rsa} line
   * @param algorithm RS256/384/512, PS256/384/512 or ES256/384/512; null means RS256
   * @param audience null means OPAL's default
   * @param issuer null means OPAL's default
   * @throws IllegalArgumentException when the key cannot be read or does not fit the algorithm.
   *     Unlike OPAL, which then silently turns authentication off, this refuses to start
   */
  public static AccessPolicy create(
      Vertx vertx, String publicKeyPem, String algorithm, String audience, String issuer) {
    return create(vertx, publicKeyPem, algorithm, audience, issuer, Clock.systemUTC());
  }

  static AccessPolicy create(
      Vertx vertx,
      String publicKeyPem,
      String algorithm,
      String audience,
      String issuer,
      Clock clock) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(clock, "clock");
    String alg = algorithm == null ? DEFAULT_ALGORITHM : algorithm;
    String aud = nonBlank(audience == null ? DEFAULT_AUDIENCE : audience, "audience");
    String iss = nonBlank(issuer == null ? DEFAULT_ISSUER : issuer, "issuer");
    PublicKey key = PublicKeys.read(publicKeyPem);
    requireFits(key, alg);
    // Vert.x checks the signature only: it is given exactly one algorithm, so a token naming any
    // other (none, HS256 with the public key as secret…) finds no key. The claims are checked
    // here instead, to answer with OPAL's reasons and to read the time from an injectable clock.
    JWTAuth signatures =
        JWTAuth.create(
            vertx,
            new JWTAuthOptions()
                .addPubSecKey(
                    new PubSecKeyOptions().setAlgorithm(alg).setBuffer(PublicKeys.spkiPem(key)))
                .setJWTOptions(new JWTOptions().setIgnoreExpiration(true)));
    return new AccessPolicy(signatures, alg, aud, iss, clock);
  }

  /**
   * Checks that {@code publicKeyText} can be read and fits {@code algorithm}, without Vert.x (the
   * configuration is checked before anything starts).
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static void checkKey(String publicKeyText, String algorithm) {
    requireFits(PublicKeys.read(publicKeyText), algorithm == null ? DEFAULT_ALGORITHM : algorithm);
  }

  /** False for the {@link #disabled()} policy. */
  public boolean enabled() {
    return signatures != null;
  }

  /**
   * Verifies the token and reads its claims.
   *
   * @param authorizationHeaderOrToken the value of an {@code Authorization: Bearer …} header, or a
   *     bare token; null when absent
   * @return the caller's claims ({@link Claims#unrestricted()} when disabled), or a failure with
   *     {@link AuthFailure} 401 when the token is missing, malformed, badly signed, expired, not
   *     yet valid, or for another audience or issuer
   */
  public Future<Claims> authenticate(String authorizationHeaderOrToken) {
    if (!enabled()) {
      return Future.succeededFuture(Claims.unrestricted());
    }
    String token;
    try {
      token = BearerToken.of(authorizationHeaderOrToken);
      requireAlgorithm(token);
    } catch (AuthFailure e) {
      return Future.failedFuture(e);
    }
    return verifiedSignature(token).map(v -> verifiedClaims(token));
  }

  /**
   * Vert.x's verdict on the signature. Its reasons may quote the token (a JSON parse error shows
   * the text), so they are never passed on; and it throws, rather than fails, on some malformed
   * payloads (an {@code exp} that is not a number), so both ways out are caught.
   */
  private Future<Void> verifiedSignature(String token) {
    Future<?> verdict;
    try {
      verdict = signatures.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      verdict = Future.failedFuture(e);
    }
    return verdict.transform(
        ar ->
            ar.succeeded()
                ? Future.succeededFuture()
                : Future.failedFuture(AuthFailure.unauthorized(CANNOT_DECODE)));
  }

  /** Checked before the signature, so that a token naming another algorithm says so. */
  private void requireAlgorithm(String token) {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      throw AuthFailure.unauthorized(CANNOT_DECODE);
    }
    if (!algorithm.equals(segment(parts[0]).getValue("alg"))) {
      throw AuthFailure.unauthorized(BAD_ALGORITHM + " (expected " + algorithm + ")");
    }
  }

  /** The payload of a token whose signature Vert.x has verified, checked as PyJWT and OPAL do. */
  private Claims verifiedClaims(String token) {
    JsonObject payload = segment(token.split("\\.", -1)[1]);
    long now = clock.instant().getEpochSecond();
    Long issuedAt = numericDate(payload, "iat");
    if (issuedAt != null && issuedAt > now) {
      throw AuthFailure.unauthorized(NOT_YET_VALID + " (iat)");
    }
    Long notBefore = numericDate(payload, "nbf");
    if (notBefore != null && notBefore > now) {
      throw AuthFailure.unauthorized(NOT_YET_VALID + " (nbf)");
    }
    Long expires = numericDate(payload, "exp");
    if (expires != null && expires <= now) {
      throw AuthFailure.unauthorized(EXPIRED);
    }
    if (!issuer.equals(payload.getValue("iss"))) {
      throw AuthFailure.unauthorized(BAD_ISSUER);
    }
    if (!audiences(payload.getValue("aud")).contains(audience)) {
      throw AuthFailure.unauthorized(BAD_AUDIENCE);
    }
    if (!(payload.getValue("sub") instanceof String subject) || !isUuid(subject)) {
      throw AuthFailure.unauthorized(BAD_SUBJECT);
    }
    return Claims.fromPayload(payload);
  }

  /** A base64url JSON object segment of the token. */
  private static JsonObject segment(String base64url) {
    try {
      return new JsonObject(Buffer.buffer(Base64.getUrlDecoder().decode(base64url)));
    } catch (RuntimeException e) {
      throw AuthFailure.unauthorized(CANNOT_DECODE);
    }
  }

  /**
   * An RFC 7519 NumericDate claim in whole seconds, truncated as PyJWT's {@code int()} does and
   * clamped to the range of a long; null when absent. Not a number: PyJWT's DecodeError, which OPAL
   * reports as an undecodable token.
   */
  private static Long numericDate(JsonObject payload, String claim) {
    if (!payload.containsKey(claim)) {
      return null;
    }
    if (!(payload.getValue(claim) instanceof Number n)) {
      throw AuthFailure.unauthorized(CANNOT_DECODE);
    }
    double approximate = n.doubleValue();
    if (approximate >= Long.MAX_VALUE) {
      return Long.MAX_VALUE;
    }
    if (approximate <= Long.MIN_VALUE) {
      return Long.MIN_VALUE;
    }
    return n.longValue();
  }

  /** {@code aud} is one string or a list of strings (RFC 7519 §4.1.3); anything else, none. */
  private static List<Object> audiences(Object aud) {
    if (aud instanceof String s) {
      return List.of(s);
    }
    return aud instanceof JsonArray array ? array.getList() : List.of();
  }

  /**
   * What Python's {@code uuid.UUID(sub)} accepts, as OPAL's {@code verify_logged_in} requires: 32
   * hex digits (OPAL signs {@code uuid.hex}), optionally with hyphens, braces or a {@code
   * urn:uuid:} prefix.
   */
  static boolean isUuid(String subject) {
    String hex = subject.replace("urn:", "").replace("uuid:", "");
    int start = 0;
    int end = hex.length();
    while (start < end && (hex.charAt(start) == '{' || hex.charAt(start) == '}')) {
      start++;
    }
    while (end > start && (hex.charAt(end - 1) == '{' || hex.charAt(end - 1) == '}')) {
      end--;
    }
    hex = hex.substring(start, end).replace("-", "");
    return hex.length() == 32 && hex.chars().allMatch(c -> Character.digit(c, 16) >= 0 && c < 128);
  }

  private static void requireFits(PublicKey key, String alg) {
    int ecFieldBits =
        switch (alg) {
          case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512" -> 0;
          case "ES256" -> 256;
          case "ES384" -> 384;
          case "ES512" -> 521;
          default ->
              throw new IllegalArgumentException(
                  "JWT algorithm "
                      + alg
                      + " is not supported; use RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384 or ES512");
        };
    if (ecFieldBits == 0 && !(key instanceof RSAPublicKey)) {
      throw new IllegalArgumentException("JWT algorithm " + alg + " needs an RSA public key");
    }
    if (ecFieldBits != 0
        && !(key instanceof ECPublicKey ec
            && ec.getParams().getCurve().getField().getFieldSize() == ecFieldBits)) {
      throw new IllegalArgumentException(
          "JWT algorithm " + alg + " needs an EC public key on the " + ecFieldBits + "-bit curve");
    }
  }

  private static String nonBlank(String value, String name) {
    if (value.isBlank()) {
      throw new IllegalArgumentException("JWT " + name + " must not be blank");
    }
    return value;
  }

  @Override
  public String toString() {
    return enabled()
        ? "AccessPolicy[" + algorithm + ", aud=" + audience + ", iss=" + issuer + "]"
        : "AccessPolicy[disabled]";
  }
}
