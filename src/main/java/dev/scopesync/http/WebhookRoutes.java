package dev.scopesync.http;

import static dev.scopesync.http.JsonAnswers.sendJson;

import dev.scopesync.bus.Addresses;
import dev.scopesync.bus.Delivery;
import dev.scopesync.config.ServerConfig;
import dev.scopesync.metrics.ServerMetrics;
import dev.scopesync.webhook.PushEvent;
import dev.scopesync.webhook.PushEvents;
import dev.scopesync.webhook.WebhookException;
import dev.scopesync.webhook.WebhookParams;
import dev.scopesync.webhook.WebhookParser;
import dev.scopesync.webhook.WebhookPayload;
import dev.scopesync.webhook.WebhookSignature;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code POST /webhook} (DESIGN §8): a git host's push, verified, parsed, then handed to the scope
 * verticle, which refreshes the scopes on the pushed repository and branch. The push address is not
 * part of the public API ({@link dev.scopesync.client.ScopesClient}): only this route sends to it.
 * Immutable; runs on the HTTP verticle's event loop.
 */
final class WebhookRoutes {
  private final Vertx vertx;
  private final ServerConfig config;
  private final ServerMetrics metrics;

  /** Null when {@code webhook.secret} is not set: pushes are not authenticated. */
  private final WebhookSignature signature;

  WebhookRoutes(Vertx vertx, ServerConfig config, ServerMetrics metrics) {
    this.vertx = vertx;
    this.config = config;
    this.metrics = metrics;
    this.signature =
        config.webhookSecret() == null ? null : new WebhookSignature(config.webhookSecret());
  }

  /** {@code POST /webhook}: 200 with what was done ({@code ok} or {@code ignored}, and why). */
  void push(RoutingContext ctx) {
    Buffer raw = ctx.body() == null ? null : ctx.body().buffer();
    byte[] bytes = raw == null ? new byte[0] : raw.getBytes();
    Map<String, String> headers = new HashMap<>();
    ctx.request()
        .headers()
        .forEach(h -> headers.putIfAbsent(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
    WebhookParams params = config.opal().webhookParams();
    if (signature != null) {
      boolean verified =
          params != null
              ? params.verify(config.webhookSecret(), headers, bytes)
              : signature.verify(headers, bytes);
      if (!verified) {
        metrics.webhook("unauthorized");
        throw new HttpException(
            401,
            params != null
                ? "webhook secret missing or wrong in header "
                    + params.secretHeaderName()
                    + " (webhook.params)"
                : "webhook signature (X-Hub-Signature-256) or token (X-Gitlab-Token) missing or wrong");
      }
    }
    PushEvent event;
    try {
      if (!(WebhookPayload.parse(
              ctx.request().getHeader(HttpHeaders.CONTENT_TYPE),
              bytes,
              ctx.request().formAttributes())
          instanceof JsonObject payload)) {
        throw new HttpException(400, "webhook payload must be a JSON object");
      }
      event = WebhookParser.parse(headers, payload, params);
    } catch (WebhookException e) {
      metrics.webhook("bad_request");
      throw new HttpException(e.status(), e.getMessage());
    } catch (HttpException e) {
      metrics.webhook("bad_request");
      throw e;
    }
    if (!event.isPush()) {
      metrics.webhook("ignored");
      sendJson(
          ctx,
          200,
          new JsonObject()
              .put("status", "ignored")
              .put("event", event.eventName())
              .put("reason", "not a push event")
              .encode());
      return;
    }
    vertx
        .eventBus()
        // This node's scope verticle (every node reads the same store): a cluster-wide request
        // could be routed to a member that crashed and is not dropped yet, and time out.
        .<JsonObject>request(Addresses.WEBHOOK_PUSH, PushEvents.toJson(event), Delivery.local())
        .map(Message::body)
        .onFailure(ctx::fail)
        .onSuccess(
            reply -> {
              JsonArray scopes = reply.getJsonArray("scopes");
              JsonObject answer =
                  new JsonObject()
                      .put("status", scopes.isEmpty() ? "ignored" : "ok")
                      .put("event", "push")
                      .put("scopes", scopes);
              if (scopes.isEmpty()) {
                answer.put("reason", "no scope uses the pushed repository and branch");
              }
              metrics.webhook(scopes.isEmpty() ? "ignored" : "ok");
              sendJson(ctx, 200, answer.encode());
            });
  }
}
