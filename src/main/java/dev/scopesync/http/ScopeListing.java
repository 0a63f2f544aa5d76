package dev.scopesync.http;

import dev.scopesync.bus.Addresses;
import dev.scopesync.client.ScopePage;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.handler.HttpException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BiFunction;

/**
 * {@code GET /scopes} (DESIGN §13): the whole list streamed as one JSON array, a page at a time, so
 * the answer never has to be held at once however many scopes there are; or one page with a {@code
 * Link} to the next.
 */
final class ScopeListing {
  /** Scopes asked for per page while streaming the whole list. */
  static final int STREAM_PAGE = 1_000;

  private ScopeListing() {}

  /** The {@code limit} query parameter, or a 422. */
  static int limit(String text) {
    try {
      int limit = Integer.parseInt(text);
      if (limit >= 1 && limit <= Addresses.MAX_PAGE) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // the answer below
    }
    throw new HttpException(422, "limit: must be an integer from 1 to " + Addresses.MAX_PAGE);
  }

  /** The {@code Link} header naming the next page. */
  static String nextLink(int limit, String after) {
    return "</scopes?limit="
        + limit
        + "&after="
        + URLEncoder.encode(after, StandardCharsets.UTF_8).replace("+", "%20")
        + ">; rel=\"next\"";
  }

  /**
   * Streams every scope after {@code after} (null: all) as one JSON array, asking for pages with
   * {@code askPage} (limit, after: {@link dev.scopesync.client.ScopesClient#list(int, String)})
   * until the last one; each page is written once the previous one has gone out.
   */
  static void stream(
      HttpServerResponse response,
      String after,
      BiFunction<Integer, String, Future<ScopePage>> askPage) {
    response.setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    nextPage(response, after, true, false, askPage);
  }

  /**
   * @param first whether this is the first page (it opens the array)
   * @param continued whether a scope was written already (the next one needs a comma)
   */
  private static void nextPage(
      HttpServerResponse response,
      String after,
      boolean first,
      boolean continued,
      BiFunction<Integer, String, Future<ScopePage>> askPage) {
    askPage
        .apply(STREAM_PAGE, after)
        .onSuccess(
            page -> {
              if (response.closed()) {
                return;
              }
              List<JsonObject> scopes = page.scopes();
              StringBuilder chunk = new StringBuilder(first ? "[" : "");
              for (int i = 0; i < scopes.size(); i++) {
                if (continued || i > 0) {
                  chunk.append(',');
                }
                chunk.append(scopes.get(i).encode());
              }
              String next = page.next();
              if (next == null) {
                response.end(chunk.append(']').toString());
                return;
              }
              response
                  .write(chunk.toString())
                  .onSuccess(
                      written ->
                          nextPage(response, next, false, continued || !scopes.isEmpty(), askPage));
            });
  }
}
