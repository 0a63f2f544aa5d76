package dev.scopesync.client;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * One page of {@link ScopesClient#list(int, String)}: scopes in id order, without their secrets.
 *
 * @param next the id to pass as {@code after} for the following page; null on the last page
 */
public record ScopePage(List<JsonObject> scopes, String next) {
  public ScopePage {
    scopes = List.copyOf(scopes);
  }
}
