package dev.scopesync.config;

import dev.scopesync.webhook.WebhookParams;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What an OPAL deployment needs of a server beyond its scopes (DESIGN §17), typed and validated:
 * CORS, the client load limit, the webhook's parameters, token minting, the non-scoped data config,
 * statistics, and the scopes the configuration owns. Each is a scopesync key too ({@code
 * http.allowedOrigins}, {@code http.clientLoadLimit}, {@code webhook.params}, {@code
 * auth.privateKey}, …), so it can be set without OPAL's variables.
 *
 * @param allowedOrigins CORS origins ({@code *} = any); empty = no CORS headers
 * @param clientLoadLimit {@code GET /loadlimit}'s rate, or null for none
 * @param webhookParams OPAL's webhook parameters, or null to detect the git host
 * @param privateKey the PEM (or OpenSSH) key {@code POST /token} signs with, or null
 * @param privateKeyPassphrase its passphrase, or null
 * @param masterToken the bearer token {@code POST /token} asks for, or null
 * @param dataConfigSources OPAL's {@code ServerDataSourceConfig}, or null for the default scope's
 *     data
 * @param statistics whether {@code GET /statistics} and {@code GET /stats} answer
 * @param ownedScopes scopes put at every start when they differ from the stored ones
 */
public record OpalSettings(
    List<String> allowedOrigins,
    RateNotation clientLoadLimit,
    WebhookParams webhookParams,
    String privateKey,
    String privateKeyPassphrase,
    String masterToken,
    JsonObject dataConfigSources,
    boolean statistics,
    JsonArray ownedScopes) {

  public OpalSettings {
    allowedOrigins = List.copyOf(allowedOrigins);
  }

  @Override
  public String toString() {
    // Never the key, passphrase or master token.
    return "OpalSettings[origins="
        + allowedOrigins
        + ", loadLimit="
        + (clientLoadLimit == null ? null : clientLoadLimit.text())
        + ", webhookParams="
        + (webhookParams != null)
        + ", minting="
        + (privateKey != null)
        + ", statistics="
        + statistics
        + ", ownedScopes="
        + ownedScopes.size()
        + "]";
  }
}
