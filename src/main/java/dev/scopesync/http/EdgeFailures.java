package dev.scopesync.http;

import dev.scopesync.auth.AuthFailure;
import dev.scopesync.bus.Failures;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.multipart.HttpPostRequestDecoder;
import io.vertx.core.VertxException;
import io.vertx.core.json.DecodeException;
import io.vertx.ext.web.handler.HttpException;
import java.io.IOException;

/**
 * The one place where a failure that reached the edge becomes an HTTP status and a {@code detail}
 * (DESIGN §15). What the client caused — a form Netty cannot decode, a form field or form over its
 * limit, bad chunked framing, a path or query with a bad percent-escape, a request Vert.x Web refused
 * itself, a token refused, a value refused by a verticle — is the 4xx it is, answered without a
 * stack trace. Only what is left is a server fault: 500, which the caller logs once, at ERROR, with
 * its stack trace.
 */
final class EdgeFailures {
  /** A status and a detail for the client. */
  record Answer(int status, String detail) {
    /** A fault of ours (not a refusal, not a service that is down): the one kind worth a stack trace. */
    boolean serverFault() {
      return status == Failures.INTERNAL;
    }
  }

  private EdgeFailures() {}

  /**
   * The answer to a failed request.
   *
   * @param failure what failed it; null when a handler (or Vert.x Web) failed it with a status only
   * @param statusSet the status given with the failure ({@code RoutingContext.statusCode()}), or -1
   */
  static Answer of(Throwable failure, int statusSet) {
    if (failure == null) {
      int status = statusSet > 0 ? statusSet : Failures.INTERNAL;
      return new Answer(status, reasonOf(status));
    }
    if (failure instanceof AuthFailure auth) {
      return new Answer(auth.status(), auth.getMessage());
    }
    Answer decoding = classify(failure);
    if (decoding != null) {
      return decoding;
    }
    if (failure instanceof HttpException http) {
      int status = http.getStatusCode();
      return new Answer(status, http.getPayload() != null ? http.getPayload() : reasonOf(status));
    }
    if (failure instanceof DecodeException json) {
      return new Answer(400, "malformed JSON: " + messageOf(json));
    }
    if (statusSet >= 400 && statusSet < 500) {
      // Vert.x Web refused the request itself (ctx.fail(400, cause): no Host, an empty path, …).
      return new Answer(statusSet, failure instanceof VertxException ? messageOf(failure) : reasonOf(statusSet));
    }
    return new Answer(Failures.statusOf(failure), Failures.detailOf(failure));
  }

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
    if (failure instanceof DecoderException || failure instanceof EncoderException
        || failure instanceof NumberFormatException || thrownByNettyCodec(failure)) {
      return new Answer(400, "malformed request: " + messageOf(failure));
    }
    return null;
  }

  /**
   * Netty's decoders signal bad input with plain exceptions too (a form's unterminated {@code %}, the
   * multipart decoder's NullPointerException on a part without a name): thrown while decoding what
   * the client sent, they are the client's.
   */
  private static boolean thrownByNettyCodec(Throwable failure) {
    if (!(failure instanceof RuntimeException)) {
      return false;
    }
    StackTraceElement[] frames = failure.getStackTrace();
    for (int i = 0; i < Math.min(6, frames.length); i++) {
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

  /** HTTP's reason phrase for {@code status} ("Not Found", "Expectation Failed", …). */
  static String reasonOf(int status) {
    return switch (status) {
      case 413 -> "request body is larger than http.maxBodyBytes";
      case 500 -> "internal error";
      default -> HttpResponseStatus.valueOf(status).reasonPhrase();
    };
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
