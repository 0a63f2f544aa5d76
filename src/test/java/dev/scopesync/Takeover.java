package dev.scopesync;

import dev.scopesync.testing.Await;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;

/** Waits for a crashed node's scopes to be served again, recording any answer that breaks rules. */
final class Takeover {
  private Takeover() {}

  /**
   * Asks every survivor for every scope's bundle until all answer 200, within {@code limit}; until
   * then only 503 with {@code Retry-After} is allowed.
   *
   * @param get a survivor's answer to a GET of a path
   * @return every answer that was neither 200 nor 503 with {@code Retry-After}
   */
  static <N> List<String> awaitServed(
      List<N> survivors,
      List<String> scopeIds,
      BiFunction<N, String, HttpResponse<String>> get,
      Duration limit)
      throws InterruptedException {
    List<String> unexpected = new CopyOnWriteArrayList<>();
    Await.until(
        () -> {
          boolean all = true;
          for (N node : survivors) {
            for (String scopeId : scopeIds) {
              HttpResponse<String> got = get.apply(node, "/scopes/" + scopeId + "/policy");
              if (got.statusCode() == 503) {
                if (got.headers().firstValue("Retry-After").isEmpty()) {
                  unexpected.add(scopeId + ": 503 without Retry-After");
                }
                all = false;
              } else if (got.statusCode() != 200) {
                unexpected.add(scopeId + ": " + got.statusCode() + " " + got.body());
                all = false;
              }
            }
          }
          return all;
        },
        limit);
    return List.copyOf(unexpected);
  }
}
