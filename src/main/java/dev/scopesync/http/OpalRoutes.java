package dev.scopesync.http;

import static dev.scopesync.http.JsonAnswers.sendDetail;
import static dev.scopesync.http.JsonAnswers.sendJson;

import dev.scopesync.auth.BearerToken;
import dev.scopesync.config.OpalSettings;
import dev.scopesync.pubsub.PubSubEndpoint;
import dev.scopesync.pubsub.Topics;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routes an OPAL deployment calls besides the scopes API (DESIGN §17), in OPAL's shapes: the
 * probes ({@code /}, {@code /healthcheck}), the non-scoped data config and OPAL's defaults that
 * clients call ({@code /policy-data}, {@code /data/callback_report}), the load limiter and the
 * statistics, and OPAL clients' {@code /ws}. Token minting is {@link TokenRoutes}'. Holds only the
 * limiter's counts; runs on the HTTP verticle's event loop.
 */
final class OpalRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(OpalRoutes.class);

  /** A query parameter named token in OPAL's redirect (its {@code set_url_query_param}). */
  private static final Pattern TOKEN_PARAM = Pattern.compile("([?&])token=[^&#]*");

  /** OPAL's per-worker id in {@code servers}: one per process. */
  private static final String WORKER_ID = java.util.UUID.randomUUID().toString().replace("-", "");

  private final OpalSettings settings;
  private final LoadLimiter loadLimiter;

  /**
   * This node's OPAL clients, for {@code /statistics}; null when {@code pubsub.enabled} is false.
   */
  private final PubSubEndpoint pubSub;

  private final Supplier<String> version;
  private final String startedAt;

  OpalRoutes(OpalSettings settings, PubSubEndpoint pubSub, java.util.function.LongSupplier nanos) {
    this.settings = settings;
    this.pubSub = pubSub;
    this.loadLimiter =
        settings.clientLoadLimit() == null
            ? null
            : new LoadLimiter(settings.clientLoadLimit(), nanos);
    this.version =
        () -> {
          String v = OpalRoutes.class.getPackage().getImplementationVersion();
          return v == null ? "dev" : v;
        };
    // pydantic writes a naive UTC datetime: ISO-8601 without an offset.
    this.startedAt =
        DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(
            Instant.now().atOffset(ZoneOffset.UTC).toLocalDateTime());
  }

  /**
   * {@code GET /} and {@code GET /healthcheck}: the process serves (OPAL's helm chart probes both).
   */
  void health(RoutingContext ctx) {
    sendJson(ctx, 200, "{\"status\":\"ok\"}");
  }

  /** {@code GET /policy-data}: the target of OPAL's default data config, an empty document. */
  void policyData(RoutingContext ctx) {
    sendJson(ctx, 200, "{}");
  }

  /**
   * {@code POST /data/callback_report}: OPAL's default update callback (clients with {@code
   * OPAL_SHOULD_REPORT_ON_DATA_UPDATES}), logged and answered {@code {}}.
   */
  void callbackReport(RoutingContext ctx, Object report) {
    if (!(report instanceof JsonObject body)) {
      sendDetail(ctx, 422, "body: must be a JSON object (OPAL's DataUpdateReport)");
      return;
    }
    Object reports = body.getValue("reports");
    int entries = reports instanceof JsonArray list ? list.size() : 0;
    LOG.info("data update report: update_id={} entries={}", body.getValue("update_id"), entries);
    sendJson(ctx, 200, "{}");
  }

  /**
   * {@code GET /ws}: OPAL's pub/sub WebSocket (routed only when {@code pubsub.enabled}), unless the
   * endpoint refuses it now.
   */
  void webSocket(RoutingContext ctx) {
    PubSubEndpoint.Refusal refused = pubSub.refusal(ctx.request());
    if (refused == null) {
      pubSub.upgrade(ctx);
      return;
    }
    if (refused.status() == 503) {
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "5");
    }
    sendDetail(ctx, refused.status(), refused.detail());
  }

  /**
   * {@code GET /loadlimit}: 200, or 429 beyond {@code http.clientLoadLimit} (OPAL's slowapi limit).
   */
  void loadLimit(RoutingContext ctx) {
    long retryAfter = loadLimiter == null ? 0 : loadLimiter.acquire();
    if (retryAfter == 0) {
      sendJson(ctx, 200, "null");
      return;
    }
    ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter));
    sendDetail(ctx, 429, "Rate limit exceeded: " + settings.clientLoadLimit().text());
  }

  /**
   * {@code GET /statistics}: OPAL's {@code ServerStats}, for this node; 501 unless {@code
   * pubsub.statistics}.
   */
  void statistics(RoutingContext ctx) {
    if (statisticsOff(ctx)) {
      return;
    }
    sendJson(
        ctx,
        200,
        new JsonObject()
            .put("uptime", startedAt)
            .put("version", version.get())
            .put("clients", pubSub == null ? new JsonObject() : pubSub.clientStatistics())
            .put("servers", new JsonArray().add(WORKER_ID))
            .encode());
  }

  /** {@code GET /stats}: OPAL's {@code ServerStatsBrief}. */
  void stats(RoutingContext ctx) {
    if (statisticsOff(ctx)) {
      return;
    }
    sendJson(
        ctx,
        200,
        new JsonObject()
            .put("uptime", startedAt)
            .put("version", version.get())
            .put("client_count", pubSub == null ? 0 : pubSub.clientStatistics().size())
            .put("server_count", 1)
            .encode());
  }

  private boolean statisticsOff(RoutingContext ctx) {
    if (settings.statistics()) {
      return false;
    }
    sendDetail(
        ctx,
        501,
        "This server does not have statistics turned on. To turn on, set"
            + " OPAL_STATISTICS_ENABLED=true (or pubsub.statistics)");
    return true;
  }

  /**
   * {@code GET /data/config} from {@code data.configSources} (OPAL's {@code DATA_CONFIG_SOURCES}):
   * its {@code config}, entry topics as non-scoped clients subscribe them, or OPAL's 307 to {@code
   * external_source_url} with the caller's token as the {@code token} parameter.
   *
   * @return false when no data sources are configured (the caller serves the default scope's data)
   */
  boolean nonScopedDataConfig(RoutingContext ctx) {
    JsonObject sources = settings.dataConfigSources();
    if (sources == null) {
      return false;
    }
    JsonObject config = sources.getJsonObject("config");
    if (config != null) {
      sendJson(ctx, 200, Topics.scopedDataConfig(Topics.DEFAULT_SCOPE, config).encode());
      return true;
    }
    String url = sources.getString("external_source_url");
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    String token = header == null ? null : BearerToken.of(header);
    ctx.response()
        .setStatusCode(307)
        .putHeader(HttpHeaders.LOCATION, token == null ? url : withToken(url, token))
        .end();
    return true;
  }

  /**
   * {@code GET /scopes/{id}/data} for a scope that does not exist: OPAL answers its {@code
   * DATA_CONFIG_SOURCES} there, with topics as the scope's clients subscribe them.
   *
   * @return false when no data sources are configured (the caller answers 404)
   */
  boolean unknownScopeDataConfig(RoutingContext ctx, String scopeId) {
    JsonObject sources = settings.dataConfigSources();
    if (sources == null || sources.getJsonObject("config") == null) {
      return false;
    }
    sendJson(ctx, 200, Topics.scopedDataConfig(scopeId, sources.getJsonObject("config")).encode());
    return true;
  }

  /** OPAL's {@code set_url_query_param(url, "token", token)}: replaces or adds the parameter. */
  static String withToken(String url, String token) {
    String encoded = URLEncoder.encode(token, StandardCharsets.UTF_8);
    int hash = url.indexOf('#');
    String fragment = hash < 0 ? "" : url.substring(hash);
    String base = hash < 0 ? url : url.substring(0, hash);
    if (TOKEN_PARAM.matcher(base).find()) {
      return TOKEN_PARAM
              .matcher(base)
              .replaceFirst("$1token=" + java.util.regex.Matcher.quoteReplacement(encoded))
          + fragment;
    }
    return base + (base.contains("?") ? "&" : "?") + "token=" + encoded + fragment;
  }
}
