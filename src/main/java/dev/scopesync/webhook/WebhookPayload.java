package dev.scopesync.webhook;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The JSON document of a push delivery, from the raw body as sent: the body itself, or, with
 * GitHub's form content type ({@code application/x-www-form-urlencoded}), the {@code payload}
 * field's value. The signature is checked over the raw body before this runs, as the git host
 * signed it.
 */
public final class WebhookPayload {
  private static final String FORM = "application/x-www-form-urlencoded";

  private WebhookPayload() {}

  /**
   * @param contentType the request's {@code Content-Type}, or null
   * @throws WebhookException 400 when the body is empty, the form has no {@code payload}, an
   *     escape is malformed, or the JSON does not parse
   */
  public static Object parse(String contentType, byte[] body) {
    if (body.length == 0) {
      throw new WebhookException(400, "request body is empty; a JSON object is expected");
    }
    String json = isForm(contentType) ? formField(new String(body, StandardCharsets.US_ASCII), "payload")
        : new String(body, StandardCharsets.UTF_8);
    try {
      return Json.decodeValue(json);
    } catch (DecodeException e) {
      throw new WebhookException(400, "malformed JSON" + (isForm(contentType) ? " in the form's payload" : "")
          + ": " + shortened(e.getMessage()));
    }
  }

  private static boolean isForm(String contentType) {
    return contentType != null && contentType.toLowerCase(Locale.ROOT).trim().startsWith(FORM);
  }

  /** One field of a form body, decoded as forms are ({@code +} is a space; UTF-8 escapes). */
  private static String formField(String form, String name) {
    for (String pair : form.split("&")) {
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq));
      if (key.equals(name)) {
        return decode(eq < 0 ? "" : pair.substring(eq + 1));
      }
    }
    throw new WebhookException(400, "form body has no '" + name + "' field (GitHub's form content type sends the"
        + " JSON in 'payload')");
  }

  private static String decode(String text) {
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new WebhookException(400, "malformed form body: " + shortened(e.getMessage()));
    }
  }

  private static String shortened(String message) {
    return message == null || message.length() <= 200 ? message : message.substring(0, 200) + "…";
  }
}
