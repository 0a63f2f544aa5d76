package dev.scopesync.http;

import dev.scopesync.auth.AuthFailure;
import dev.scopesync.bus.Failures;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http.multipart.HttpPostRequestDecoder;
import io.vertx.core.VertxException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where a failure that reached the edge becomes an HTTP status and a {@code detail}
 * (DESIGN §15). What the client caused — a form Netty cannot decode, a form field or form over its
 * limit, bad chunked framing, a path or query with a bad percent-escape, a request Vert.x Web
 * refused itself, a token refused, a value refused by a verticle — is the 4xx it is, answered
 * without a stack trace. Only what is left is a server fault: 500, logged once, at ERROR, with its
 * stack trace.
 *
 * <p>Its handlers answer the three ways a failure reaches the edge: a request Netty could not
 * decode ({@link #answerUndecodable}), a path Vert.x cannot decode ({@link #requireDecodablePath},
 * before any route) and a failed route ({@link #answerFailed}, the router's failure handler).
 * Stateless.
 */
final class EdgeFailures {
  private static final Logger LOG = LoggerFactory.getLogger(EdgeFailures.class);

  /** A status and a detail for the client. */
  record Answer(int status, String detail) {
    /**
     * A fault of ours (not a refusal, not a service that is down): the one kind worth a stack
     * trace.
     */
    boolean serverFault() {
      return status == Failures.INTERNAL;
    }
  }

  private EdgeFailures() {}

  /** The router's failure handler: every failure of every route is answered here. */
  static void answerFailed(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof HttpClosedException) {
      return; // the client went away mid-request: nobody to answer, nothing wrong here
    }
    Answer answer = of(failure, ctx.statusCode());
    int status = answer.status();
    if (status == 401 && failure instanceof AuthFailure) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
    }
    if (status == 503) {
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "5");
    }
    if (answer.serverFault()) {
      LOG.error(
          "{} {} -> {}: {}",
          ctx.request().method(),
          ctx.request().path(),
          status,
          answer.detail(),
          failure);
    } else if (status >= 500) {
      LOG.warn(
          "{} {} -> {}: {}", ctx.request().method(), ctx.request().path(), status, answer.detail());
    }
    JsonAnswers.sendDetail(ctx, status, answer.detail());
  }

  /**
   * The server's handler for a request Netty could not decode (request line, headers, framing):
   * Vert.x's own answer (400, 414 or 431, then close), with a JSON detail.
   */
  static void answerUndecodable(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    int status = 400;
    String detail = "malformed HTTP request";
    if (cause instanceof TooLongHttpLineException) {
      status = 414;
      detail = "request line too long";
    } else if (cause instanceof TooLongHttpHeaderException) {
      status = 431;
      detail = "request headers too large";
    }
    request.response().putHeader(HttpHeaders.CONNECTION, "close");
    JsonAnswers.sendDetail(request.response(), status, detail);
    request.connection().close();
  }

  /**
   * The first step of every route: a path or query Vert.x cannot decode is the client's error
   * (400).
   */
  static void requireDecodablePath(RoutingContext ctx) {
    Answer bad;
    try {
      ctx.normalizedPath();
      // Route matching decodes the query too (path parameters join the request's params).
      ctx.request().params();
      bad = null;
    } catch (RuntimeException e) {
      bad = ofPath(e);
      if (bad == null) {
        throw e;
      }
    }
    if (bad != null) {
      JsonAnswers.sendDetail(ctx, bad.status(), bad.detail());
      return;
    }
    ctx.next();
  }

  /**
   * The answer to a failed request.
   *
   * @param failure what failed it; null when a handler (or Vert.x Web) failed it with a status only
   * @param statusSet the status given with the failure ({@code RoutingContext.statusCode()}), or -1
   */
  private static Answer of(Throwable failure, int statusSet) {
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
      return new Answer(
          statusSet, failure instanceof VertxException ? messageOf(failure) : reasonOf(statusSet));
    }
    return new Answer(Failures.statusOf(failure), Failures.detailOf(failure));
  }

  /** The answer for a failure of the request's decoding; null when {@code failure} is not one. */
  private static Answer classify(Throwable failure) {
    if (failure instanceof HttpPostRequestDecoder.TooLongFormFieldException
        || failure instanceof HttpPostRequestDecoder.TooManyFormFieldsException) {
      return new Answer(413, "form body over its limits: " + failure.getMessage());
    }
    if (failure instanceof HttpPostRequestDecoder.ErrorDataDecoderException) {
      return new Answer(400, "malformed form body: " + messageOf(failure));
    }
    if (failure instanceof IOException
        && "Size exceed allowed maximum capacity".equals(failure.getMessage())) {
      return new Answer(413, "form body larger than http.maxBodyBytes");
    }
    if (failure instanceof DecoderException
        || failure instanceof EncoderException
        || failure instanceof NumberFormatException
        || thrownByNettyCodec(failure)) {
      return new Answer(400, "malformed request: " + messageOf(failure));
    }
    return null;
  }

  /**
   * Netty's decoders signal bad input with plain exceptions too (a form's unterminated {@code %},
   * the multipart decoder's NullPointerException on a part without a name): thrown while decoding
   * what the client sent, they are the client's.
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
  private static Answer ofPath(Throwable decoding) {
    return decoding instanceof IllegalArgumentException
        ? new Answer(400, "malformed path or query: " + messageOf(decoding))
        : null;
  }

  /** HTTP's reason phrase for {@code status} ("Not Found", "Expectation Failed", …). */
  private static String reasonOf(int status) {
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
    String message =
        root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    // Never echo much of what the client sent.
    return message.length() > 200 ? message.substring(0, 200) + "…" : message;
  }
}
