package dev.scopesync.http;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;

/** A request's body read as JSON, once {@link BodyGate} has admitted and read it. Stateless. */
final class JsonBodies {
  private JsonBodies() {}

  /** The body's JSON value; 400 when it is empty or not JSON. */
  static Object of(RoutingContext ctx) {
    if (ctx.body() == null || ctx.body().buffer() == null || ctx.body().length() <= 0) {
      throw new HttpException(400, "request body is empty; a JSON object is expected");
    }
    try {
      return Json.decodeValue(ctx.body().buffer());
    } catch (DecodeException e) {
      throw new HttpException(400, "malformed JSON: " + e.getMessage());
    }
  }
}
