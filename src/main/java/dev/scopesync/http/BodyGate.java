package dev.scopesync.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.Locale;

/**
 * The first handler of every route: lets through only the request bodies the route documents,
 * before any decoder sees them (DESIGN §15). A body of another content type gets 415 naming what
 * the route takes; multipart is taken by no route, so Netty's multipart decoder (which throws on
 * broken input) never runs. A route that reads a body then has it read by Vert.x's {@link
 * BodyHandler} (its size limit, its {@code Expect: 100-continue}), so a refused body is never asked
 * for.
 *
 * <p>As FastAPI does for OPAL, a body without a Content-Type is read as JSON; a request without a
 * body passes whatever its Content-Type says. Immutable; the handlers run on the request's event
 * loop.
 */
final class BodyGate {
  /** What a route's request body may be. */
  enum Accepts {
    /** The route reads no body; only multipart is refused (nothing would decode it safely). */
    NOTHING("no request body"),
    JSON("application/json"),
    /** GitHub's form delivery, the JSON in its {@code payload} field (DESIGN §15). */
    JSON_OR_FORM("application/json or application/x-www-form-urlencoded");

    /** How a refusal names the accepted types. */
    final String described;

    Accepts(String described) {
      this.described = described;
    }
  }

  static final String FORM = "application/x-www-form-urlencoded";

  private final BodyHandler bodies;

  BodyGate(BodyHandler bodies) {
    this.bodies = bodies;
  }

  /** The handler that admits the bodies {@code accepts} names and reads them. */
  Handler<RoutingContext> accepting(Accepts accepts) {
    return ctx -> {
      HttpServerRequest request = ctx.request();
      List<String> types = request.headers().getAll(HttpHeaders.CONTENT_TYPE);
      if (types.size() > 1) {
        refuse(ctx, 400, "a request must not carry " + types.size() + " Content-Type headers");
        return;
      }
      String type = types.isEmpty() ? null : mediaType(types.get(0));
      if (type != null && type.startsWith("multipart/")) {
        refuse(
            ctx, 415, "multipart bodies are not accepted; this route takes " + accepts.described);
        return;
      }
      if (accepts == Accepts.NOTHING) {
        ctx.next();
        return;
      }
      if (hasBody(request) && type != null && !admits(accepts, type)) {
        refuse(
            ctx,
            415,
            "content type '"
                + shortened(type)
                + "' is not accepted; this route takes "
                + accepts.described);
        return;
      }
      bodies.handle(ctx);
    };
  }

  private static boolean admits(Accepts accepts, String type) {
    boolean json =
        type.equals("application/json")
            || (type.startsWith("application/") && type.endsWith("+json"));
    return json || (accepts == Accepts.JSON_OR_FORM && type.equals(FORM));
  }

  /** The type/subtype of a Content-Type value, lower case, without parameters. */
  static String mediaType(String contentType) {
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
        .trim()
        .toLowerCase(Locale.ROOT);
  }

  private static boolean hasBody(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    return request.headers().contains(HttpHeaders.TRANSFER_ENCODING)
        || (length != null && !length.trim().equals("0"));
  }

  /**
   * Answers without reading the body. One still on its way would be read only to be thrown away, so
   * the connection is closed after the answer instead (RFC 9112 §9.6 allows it).
   */
  private static void refuse(RoutingContext ctx, int status, String detail) {
    boolean unread = !ctx.request().isEnded();
    if (unread) {
      ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
      ctx.response().endHandler(done -> ctx.request().connection().close());
    }
    JsonAnswers.sendDetail(ctx, status, detail);
  }

  private static String shortened(String text) {
    return text.length() > 80 ? text.substring(0, 80) + "…" : text;
  }
}
