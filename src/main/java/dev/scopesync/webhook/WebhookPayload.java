package dev.scopesync.webhook;

import io.vertx.core.MultiMap;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The JSON document of a push delivery, from the raw body as sent: the body itself, or, with
 * GitHub's form content type ({@code application/x-www-form-urlencoded}), the {@code payload}
 * field's value (the form as Vert.x's body handler decoded it). The signature is checked over the
 * raw body before this runs, as the git host signed it.
 */
public final class WebhookPayload {
  private static final String FORM = "application/x-www-form-urlencoded";

  private WebhookPayload() {}

  /**
   * @param contentType the request's {@code Content-Type}, or null
   * @param form the body's form fields as Vert.x decoded them (used for the form content type)
   * @throws WebhookException 400 when the body is empty, the form has no {@code payload}, or the
   *     JSON does not parse
   */
  public static Object parse(String contentType, byte[] body, MultiMap form) {
    if (body.length == 0) {
      throw new WebhookException(400, "request body is empty; a JSON object is expected");
    }
    boolean isForm = isForm(contentType);
    String json = isForm ? form.get("payload") : new String(body, StandardCharsets.UTF_8);
    if (json == null) {
      throw new WebhookException(
          400,
          "form body has no 'payload' field (GitHub's form content type sends the"
              + " JSON in 'payload')");
    }
    try {
      return Json.decodeValue(json);
    } catch (DecodeException e) {
      throw new WebhookException(
          400,
          "malformed JSON"
              + (isForm ? " in the form's payload" : "")
              + ": "
              + shortened(e.getMessage()));
    }
  }

  private static boolean isForm(String contentType) {
    return contentType != null && contentType.toLowerCase(Locale.ROOT).trim().startsWith(FORM);
  }

  private static String shortened(String message) {
    return message == null || message.length() <= 200 ? message : message.substring(0, 200) + "…";
  }
}
