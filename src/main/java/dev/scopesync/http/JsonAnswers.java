package dev.scopesync.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * How every route answers: a JSON body with its status, and a failure as {@code {"detail": "..."}}
 * (FastAPI's shape, which OPAL clients read). An answer to a client that has gone, or a second
 * answer, writes nothing; a failure after a streamed answer has begun resets the stream, so a
 * client never takes a cut list for a whole one.
 */
public final class JsonAnswers {
  private JsonAnswers() {}

  public static void sendDetail(RoutingContext ctx, int status, String detail) {
    sendDetail(ctx.response(), status, detail);
  }

  public static void sendJson(RoutingContext ctx, int status, String body) {
    sendJson(ctx.response(), status, body);
  }

  static void sendDetail(HttpServerResponse response, int status, String detail) {
    sendJson(response, status, new JsonObject().put("detail", detail).encode());
  }

  static void sendJson(HttpServerResponse response, int status, String body) {
    if (response.ended() || response.closed()) {
      return;
    }
    if (response.headWritten()) {
      response.reset();
      return;
    }
    response
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(body);
  }
}
