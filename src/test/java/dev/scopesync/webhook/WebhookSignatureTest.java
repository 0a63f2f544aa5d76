package dev.scopesync.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class WebhookSignatureTest {
  /** GitHub's documented test vector ("Validating webhook deliveries"). */
  private static final String SECRET = "It's a Secret to Everybody";

  private static final byte[] BODY = "Hello, World!".getBytes(StandardCharsets.UTF_8);
  private static final String GOOD =
      "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

  /** The same HMAC over "Hello, World?" (openssl dgst -sha256 -hmac). */
  private static final String OTHER_BODY =
      "319468fd7ae6faec323482b683bcff145fe8b1fc66e17a0bc724cf6d0de2f22f";

  /** The same body with the key "It's a secret to everybody". */
  private static final String OTHER_SECRET =
      "1fe2d60741c8276b3394633e8f88b2eb6d0aead0ec5502e6c60037385b97ebd3";

  /** HMAC-SHA1 of the body with the secret: what GitHub puts in X-Hub-Signature. */
  private static final String SHA1 = "01dc10d0c83e72ed246219cdd91669667fe2ca59";

  private final WebhookSignature signature = new WebhookSignature(SECRET);

  static Stream<Arguments> requests() {
    return Stream.of(
        Arguments.of(
            "GitHub's sha256 signature of the body",
            Map.of("x-hub-signature-256", "sha256=" + GOOD),
            true),
        Arguments.of(
            "the signature in upper-case hex",
            Map.of("x-hub-signature-256", "sha256=" + GOOD.toUpperCase()),
            true),
        Arguments.of(
            "the signature with surrounding spaces",
            Map.of("x-hub-signature-256", " sha256=" + GOOD + " "),
            true),
        Arguments.of(
            "Bitbucket's sha256 signature in X-Hub-Signature",
            Map.of("x-hub-signature", "sha256=" + GOOD),
            true),
        Arguments.of("GitLab's token equal to the secret", Map.of("x-gitlab-token", SECRET), true),
        Arguments.of(
            "a wrong signature beside a right token",
            Map.of("x-hub-signature-256", "sha256=" + OTHER_BODY, "x-gitlab-token", SECRET),
            true),
        Arguments.of(
            "a signature of another body",
            Map.of("x-hub-signature-256", "sha256=" + OTHER_BODY),
            false),
        Arguments.of(
            "a signature made with another secret",
            Map.of("x-hub-signature-256", "sha256=" + OTHER_SECRET),
            false),
        Arguments.of(
            "GitHub's legacy sha1 signature", Map.of("x-hub-signature", "sha1=" + SHA1), false),
        Arguments.of(
            "a sha1 signature in the sha256 header",
            Map.of("x-hub-signature-256", "sha1=" + SHA1),
            false),
        Arguments.of(
            "the hex without its sha256= prefix", Map.of("x-hub-signature-256", GOOD), false),
        Arguments.of("an empty signature", Map.of("x-hub-signature-256", "sha256="), false),
        Arguments.of("an empty header", Map.of("x-hub-signature-256", ""), false),
        Arguments.of(
            "a truncated signature",
            Map.of("x-hub-signature-256", "sha256=" + GOOD.substring(1)),
            false),
        Arguments.of(
            "a signature with one digit too many",
            Map.of("x-hub-signature-256", "sha256=" + GOOD + "0"),
            false),
        Arguments.of(
            "a signature that is not hex",
            Map.of("x-hub-signature-256", "sha256=" + "zz".repeat(32)),
            false),
        Arguments.of(
            "the secret itself as a signature",
            Map.of("x-hub-signature-256", "sha256=" + SECRET),
            false),
        Arguments.of("a wrong token", Map.of("x-gitlab-token", "It's a Secret to Nobody"), false),
        Arguments.of(
            "the token in other case", Map.of("x-gitlab-token", SECRET.toLowerCase()), false),
        Arguments.of(
            "a prefix of the token", Map.of("x-gitlab-token", SECRET.substring(0, 10)), false),
        Arguments.of("the token with more after it", Map.of("x-gitlab-token", SECRET + "!"), false),
        Arguments.of("an empty token", Map.of("x-gitlab-token", ""), false),
        Arguments.of(
            "the body's signature as a token", Map.of("x-gitlab-token", "sha256=" + GOOD), false),
        Arguments.of(
            "the signature under a header nobody reads",
            Map.of("x-signature", "sha256=" + GOOD),
            false),
        Arguments.of("no credentials at all", Map.of(), false));
  }

  @ParameterizedTest(name = "{0}: {2}")
  @MethodSource("requests")
  void acceptsOnlyProofOfTheSecret(
      String behaviour, Map<String, String> headers, boolean expected) {
    assertEquals(expected, signature.verify(headers, BODY));
  }

  @Test
  void theSignatureCoversTheRawBytesNotTheirMeaning() {
    Map<String, String> headers = Map.of("x-hub-signature-256", "sha256=" + GOOD);
    assertEquals(
        false, signature.verify(headers, "Hello, World! ".getBytes(StandardCharsets.UTF_8)));
    assertEquals(false, signature.verify(headers, new byte[0]));
  }

  @Test
  void anEmptySecretIsRefusedAtConstruction() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new WebhookSignature(""));
    assertEquals(
        "webhook secret must not be empty; leave it unset to accept unsigned webhooks",
        e.getMessage());
    assertThrows(NullPointerException.class, () -> new WebhookSignature(null));
  }
}
