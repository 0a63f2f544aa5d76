package dev.scopesync.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.handler.CorsHandler;
import java.util.List;
import java.util.Set;

/**
 * CORS for {@code http.allowedOrigins} (OPAL's {@code ALLOWED_ORIGINS}), as OPAL's Starlette
 * middleware allows it: every method, the request's own headers, the listed origins ({@code *} =
 * any). Vert.x Web's {@link CorsHandler} answers preflights; credentials (cookies) are not allowed,
 * since no route reads one — tokens travel in {@code Authorization}.
 */
final class Cors {
  private Cors() {}

  static CorsHandler handler(List<String> origins) {
    CorsHandler cors = CorsHandler.create();
    if (origins.contains("*")) {
      cors.addOrigin("*");
    } else {
      cors.addOrigins(origins);
    }
    return cors.allowedMethods(
            Set.of(
                HttpMethod.GET,
                HttpMethod.POST,
                HttpMethod.PUT,
                HttpMethod.DELETE,
                HttpMethod.PATCH,
                HttpMethod.OPTIONS,
                HttpMethod.HEAD))
        .maxAgeSeconds(600);
  }
}
