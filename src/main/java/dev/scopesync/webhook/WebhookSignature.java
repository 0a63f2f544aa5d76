package dev.scopesync.webhook;

import dev.scopesync.digest.Sha256;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks that a webhook request knows the shared secret ({@code webhook.secret}).
 *
 * <p>Accepted, any one suffices:
 *
 * <ul>
 *   <li>{@code X-Hub-Signature-256: sha256=<hex>}, the HMAC-SHA256 of the raw body (GitHub, Gitea);
 *   <li>{@code X-Hub-Signature: sha256=<hex>}, the same HMAC under the older header name, as
 *       Bitbucket Cloud and Data Center send it. GitHub's legacy {@code sha1=} value in that header
 *       is refused: GitHub always sends the SHA-256 header beside it, and no supported host signs
 *       with SHA-1 only, so accepting it would only widen what a forger may try;
 *   <li>{@code X-Gitlab-Token: <secret>}, the secret itself (GitLab; Azure DevOps can be set to
 *       send it as a custom header).
 * </ul>
 *
 * Comparisons are constant-time ({@link MessageDigest#isEqual}); the token is compared by its
 * SHA-256 digest so that not even the secret's length shows in the timing. Instances are immutable
 * and thread-safe.
 */
public final class WebhookSignature {
  private static final String HMAC_SHA256 = "HmacSHA256";
  private static final String SHA256_PREFIX = "sha256=";
  private static final int SHA256_HEX_LENGTH = 64;

  private final SecretKeySpec key;
  private final byte[] secretDigest;

  /**
   * @param secret the configured secret; must not be empty (no secret means no check at all)
   */
  public WebhookSignature(String secret) {
    Objects.requireNonNull(secret, "secret");
    if (secret.isEmpty()) {
      throw new IllegalArgumentException(
          "webhook secret must not be empty; leave it unset to accept unsigned webhooks");
    }
    byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
    this.key = new SecretKeySpec(bytes, HMAC_SHA256);
    this.secretDigest = Sha256.of(bytes);
  }

  /**
   * @param lowerCaseHeaders header names in lower case to values
   * @param rawBody the body exactly as received; the signature covers these bytes, not a
   *     re-encoding of the parsed JSON
   * @return true when a signature or token proves knowledge of the secret; missing or malformed
   *     values are false
   */
  public boolean verify(Map<String, String> lowerCaseHeaders, byte[] rawBody) {
    Objects.requireNonNull(lowerCaseHeaders, "lowerCaseHeaders");
    Objects.requireNonNull(rawBody, "rawBody");
    return signatureMatches(lowerCaseHeaders.get(WebhookHeaders.HUB_SIGNATURE_256), rawBody)
        || signatureMatches(lowerCaseHeaders.get(WebhookHeaders.HUB_SIGNATURE), rawBody)
        || tokenMatches(lowerCaseHeaders.get(WebhookHeaders.GITLAB_TOKEN));
  }

  private boolean signatureMatches(String header, byte[] rawBody) {
    if (header == null) {
      return false;
    }
    String value = header.strip();
    if (!value.toLowerCase(Locale.ROOT).startsWith(SHA256_PREFIX)
        || value.length() != SHA256_PREFIX.length() + SHA256_HEX_LENGTH) {
      return false;
    }
    byte[] provided;
    try {
      provided = HexFormat.of().parseHex(value, SHA256_PREFIX.length(), value.length());
    } catch (IllegalArgumentException notHex) {
      return false;
    }
    return MessageDigest.isEqual(hmac(rawBody), provided);
  }

  private boolean tokenMatches(String token) {
    if (token == null || token.isEmpty()) {
      return false;
    }
    return MessageDigest.isEqual(Sha256.of(token), secretDigest);
  }

  private byte[] hmac(byte[] body) {
    try {
      // A Mac is stateful, so each check gets its own; creating one is cheap next to the request.
      Mac mac = Mac.getInstance(HMAC_SHA256);
      mac.init(key);
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required of every Java runtime", e);
    }
  }
}
