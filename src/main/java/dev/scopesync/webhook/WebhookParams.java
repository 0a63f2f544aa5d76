package dev.scopesync.webhook;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * OPAL's {@code POLICY_REPO_WEBHOOK_PARAMS} ({@code GitWebhookRequestParams}): where a git host
 * puts the secret and the event, honoured as OPAL's {@code validate_git_secret_or_throw} and
 * webhook route honour them. Without them scopesync detects the host from its headers ({@link
 * WebhookSignature}, {@link WebhookParser}); with them, only these rules apply.
 *
 * <p>The secret: the header {@code secretHeaderName}, the first match of {@code secretParsingRegex}
 * in it (its group when it has one, as Python's {@code re.findall} gives it), compared in constant
 * time with the HMAC-SHA256 hex of the raw body ({@code signature}) or with the secret itself
 * ({@code token}). The event: the header {@code eventHeaderName}, else the payload key {@code
 * eventRequestKey}, must equal {@code pushEventValue} for a push. Immutable; thread-safe.
 */
public record WebhookParams(
    String secretHeaderName,
    boolean signature,
    Pattern secretParsingRegex,
    String eventHeaderName,
    String eventRequestKey,
    String pushEventValue) {

  public WebhookParams {
    Objects.requireNonNull(secretHeaderName, "secretHeaderName");
    Objects.requireNonNull(secretParsingRegex, "secretParsingRegex");
    Objects.requireNonNull(pushEventValue, "pushEventValue");
  }

  /**
   * Reads OPAL's JSON, with pydantic's rules: {@code secret_header_name}, {@code secret_type}
   * ({@code token} or {@code signature}), {@code secret_parsing_regex} and {@code push_event_value}
   * are required; unknown fields are ignored.
   *
   * @throws IllegalArgumentException naming the field at fault
   */
  public static WebhookParams fromJson(JsonObject json) {
    String type = required(json, "secret_type");
    if (!type.equals("token") && !type.equals("signature")) {
      throw new IllegalArgumentException(
          "secret_type: must be 'token' or 'signature', got '" + type + "'");
    }
    Pattern regex;
    try {
      regex = Pattern.compile(required(json, "secret_parsing_regex"));
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(
          "secret_parsing_regex: not a regular expression: " + e.getDescription());
    }
    return new WebhookParams(
        required(json, "secret_header_name"),
        type.equals("signature"),
        regex,
        optional(json, "event_header_name"),
        optional(json, "event_request_key"),
        required(json, "push_event_value"));
  }

  /**
   * @param lowerCaseHeaders header names in lower case to values
   * @param rawBody the body as received
   * @return whether the request proves it knows {@code secret}
   */
  public boolean verify(String secret, Map<String, String> lowerCaseHeaders, byte[] rawBody) {
    String header = lowerCaseHeaders.getOrDefault(secretHeaderName.toLowerCase(Locale.ROOT), "");
    Matcher m = secretParsingRegex.matcher(header);
    if (!m.find()) {
      return false;
    }
    String incoming = m.groupCount() >= 1 ? m.group(1) : m.group();
    if (incoming == null || incoming.isEmpty()) {
      return false;
    }
    byte[] expected =
        signature
            ? HexFormat.of().formatHex(hmac(secret, rawBody)).getBytes(StandardCharsets.UTF_8)
            : secret.getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(expected, incoming.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Whether the request is a push, as OPAL decides it: the event header, else the payload key; with
   * neither configured, every delivery is a push.
   */
  public boolean isPush(Map<String, String> lowerCaseHeaders, JsonObject payload) {
    if (eventHeaderName != null) {
      return pushEventValue.equals(lowerCaseHeaders.get(eventHeaderName.toLowerCase(Locale.ROOT)));
    }
    if (eventRequestKey != null) {
      return pushEventValue.equals(payload.getValue(eventRequestKey));
    }
    return true;
  }

  /**
   * The event name for answers: the header's or key's value, {@code ping} when absent (OPAL's
   * default).
   */
  public String eventName(Map<String, String> lowerCaseHeaders, JsonObject payload) {
    Object value =
        eventHeaderName != null
            ? lowerCaseHeaders.get(eventHeaderName.toLowerCase(Locale.ROOT))
            : eventRequestKey != null ? payload.getValue(eventRequestKey) : pushEventValue;
    return value == null ? "ping" : String.valueOf(value);
  }

  private static byte[] hmac(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required of every Java runtime", e);
    }
  }

  private static String required(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (!(value instanceof String s)) {
      throw new IllegalArgumentException(
          field + ": " + (value == null ? "field required" : "must be a string"));
    }
    return s;
  }

  private static String optional(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value != null && !(value instanceof String)) {
      throw new IllegalArgumentException(field + ": must be a string or null");
    }
    return (String) value;
  }
}
