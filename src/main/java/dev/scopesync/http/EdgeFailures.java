package dev.scopesync.http;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.multipart.HttpPostRequestDecoder;
import java.io.IOException;

/**
 * Failures of the HTTP layer beneath our handlers — a form Netty cannot decode, a form field or
 * form over its limit, bad chunked framing, a path or query with a bad percent-escape — as the 4xx they
 * are (DESIGN §15). They say what the client sent wrong; they are never server faults, so they
 * are answered without a stack trace.
 */
final class EdgeFailures {
  /** A status and a detail for the client. */
  record Answer(int status, String detail) {}

  private EdgeFailures() {}

  /** The answer for a failure of the request's decoding; null when {@code failure} is not one. */
  static Answer classify(Throwable failure) {
    if (failure instanceof HttpPostRequestDecoder.TooLongFormFieldException
        || failure instanceof HttpPostRequestDecoder.TooManyFormFieldsException) {
      return new Answer(413, "form body over its limits: " + failure.getMessage());
    }
    if (failure instanceof HttpPostRequestDecoder.ErrorDataDecoderException) {
      return new Answer(400, "malformed form body: " + messageOf(failure));
    }
    if (failure instanceof IOException && "Size exceed allowed maximum capacity".equals(failure.getMessage())) {
      return new Answer(413, "form body larger than http.maxBodyBytes");
    }
    if (failure instanceof DecoderException || failure instanceof NumberFormatException || thrownByNettyCodec(failure)) {
      return new Answer(400, "malformed request: " + messageOf(failure));
    }
    return null;
  }

  /** Netty's decoders signal bad input with plain exceptions too (a form's unterminated {@code %}). */
  private static boolean thrownByNettyCodec(Throwable failure) {
    if (!(failure instanceof IllegalArgumentException)) {
      return false;
    }
    StackTraceElement[] frames = failure.getStackTrace();
    for (int i = 0; i < Math.min(4, frames.length); i++) {
      if (frames[i].getClassName().startsWith("io.netty.handler.codec.")) {
        return true;
      }
    }
    return false;
  }

  /** The answer to a path Vert.x cannot decode; null when it decodes. */
  static Answer ofPath(Throwable decoding) {
    return decoding instanceof IllegalArgumentException
        ? new Answer(400, "malformed path or query: " + messageOf(decoding))
        : null;
  }

  private static String messageOf(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    // Never echo much of what the client sent.
    return message.length() > 200 ? message.substring(0, 200) + "…" : message;
  }
}
