package dev.scopesync.bridge;

import dev.scopesync.auth.AccessPolicy;
import dev.scopesync.auth.AuthFailure;
import dev.scopesync.auth.Claims;
import dev.scopesync.bus.Addresses;
import dev.scopesync.config.ServerConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServerOptions;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.eventbus.bridge.tcp.BridgeEvent;
import io.vertx.ext.eventbus.bridge.tcp.TcpEventBusBridge;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Vert.x TCP event-bus bridge for programs not on the JVM (DESIGN §7): inbound only the public
 * {@code scopesync.scopes.*} requests and {@code scopesync.stats}, outbound only the published
 * events; nothing under {@code scopesync.fetcher.}. With {@code auth.publicKey} set, every inbound
 * request and every subscription carries a JWT in the frame's headers ({@code "Authorization":
 * "Bearer …"}) and obeys the HTTP rules.
 */
public final class BridgeVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(BridgeVerticle.class);
  static final List<String> INBOUND =
      List.of(
          Addresses.SCOPES_PUT,
          Addresses.SCOPES_GET,
          Addresses.SCOPES_LIST,
          Addresses.SCOPES_DELETE,
          Addresses.SCOPES_REFRESH,
          Addresses.SCOPES_POLICY,
          Addresses.STATS);
  static final String OUTBOUND = "scopesync\\.(policy-updated|data-updated|scope-deleted)(\\..+)?";

  private final ServerConfig config;
  private AccessPolicy access;
  private TcpEventBusBridge bridge;

  public BridgeVerticle(ServerConfig config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    access = AccessPolicy.of(vertx, config);
    BridgeOptions options =
        new BridgeOptions().addOutboundPermitted(new PermittedOptions().setAddressRegex(OUTBOUND));
    INBOUND.forEach(
        address -> options.addInboundPermitted(new PermittedOptions().setAddress(address)));
    bridge = TcpEventBusBridge.create(vertx, options, new NetServerOptions(), this::authorize);
    return bridge
        .listen(config.bridgeTcpPort(), config.httpHost())
        .onSuccess(
            b ->
                LOG.info(
                    "TCP event-bus bridge listening on {}:{}",
                    config.httpHost(),
                    config.bridgeTcpPort()));
  }

  @Override
  public Future<?> stop() {
    return bridge == null ? Future.succeededFuture() : bridge.close();
  }

  /** Applies the HTTP API's JWT rules to what a bridge client sends and subscribes to. */
  private void authorize(BridgeEvent event) {
    BridgeEventType type = event.type();
    boolean inbound =
        type == BridgeEventType.SEND
            || type == BridgeEventType.PUBLISH
            || type == BridgeEventType.REGISTER;
    if (!inbound || !access.enabled()) {
      event.complete(true);
      return;
    }
    JsonObject frame = event.getRawMessage() == null ? new JsonObject() : event.getRawMessage();
    JsonObject headers = frame.getJsonObject("headers", new JsonObject());
    String address = frame.getString("address", "");
    access
        .authenticate(headers.getString("Authorization"))
        .onSuccess(
            claims -> {
              try {
                rule(claims, type, address, frame.getValue("body"));
                event.complete(true);
              } catch (AuthFailure e) {
                event.complete(false);
              }
            })
        .onFailure(e -> event.complete(false));
  }

  private static void rule(Claims claims, BridgeEventType type, String address, Object body) {
    if (type == BridgeEventType.REGISTER) {
      // A scope's own events need that scope; the all-scopes streams need a datasource.
      String scope = scopeOf(address);
      if (scope == null) {
        claims.requireDatasource();
      } else {
        claims.requireScope(scope);
      }
      return;
    }
    if (address.equals(Addresses.SCOPES_POLICY)) {
      claims.requireScope(body instanceof JsonObject json ? json.getString("scope_id", "") : "");
    } else {
      claims.requireDatasource();
    }
  }

  private static String scopeOf(String address) {
    for (String family : List.of(Addresses.POLICY_UPDATED, Addresses.DATA_UPDATED)) {
      if (address.startsWith(family + ".")) {
        return address.substring(family.length() + 1);
      }
    }
    return null;
  }
}
