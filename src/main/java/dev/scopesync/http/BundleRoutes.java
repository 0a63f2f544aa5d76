package dev.scopesync.http;

import dev.scopesync.bus.BundleQuery;
import dev.scopesync.bus.BundleReply;
import dev.scopesync.serving.ServedAnswer;
import dev.scopesync.serving.ServedBundles;
import dev.scopesync.validation.CommitHash;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bundle routes (DESIGN §5, §7): OPAL's JSON policy bundle (full, or a delta from {@code
 * base_hash}) and OPA's {@code bundle.tar.gz}, both with ETags, and OPA's long poll ({@code Prefer:
 * wait=N} with {@code If-None-Match}): held until the scope's policy changes, else answered 304
 * after the wait. The fetcher builds the bundles (or, sharded, an owner: {@link OwnerShortcut});
 * this class only asks, unless the answer is in the node's served bundles (DESIGN §18): then it is
 * sent from here, on this event loop, with no event-bus message, no copy of the body and nothing
 * encoded per request.
 */
final class BundleRoutes {
  /** The longest {@code Prefer: wait=N} honoured, in seconds. */
  static final int MAX_WAIT_SECONDS = 600;

  private static final Pattern PREFER_WAIT = Pattern.compile("(?:^|[,;\\s])wait=(\\d{1,9})");
  private static final String TAR_KEY = ServedBundles.key(true, null);

  private final LongPolls longPolls;
  private final CachedAnswers cached;
  private final OwnerShortcut owners;

  BundleRoutes(LongPolls longPolls, CachedAnswers cached, OwnerShortcut owners) {
    this.longPolls = longPolls;
    this.cached = cached;
    this.owners = owners;
  }

  /** {@code GET /scopes/{id}/policy} (and {@code GET /policy} for the default scope). */
  void policy(RoutingContext ctx, String scopeId) {
    List<String> asked = ctx.queryParams().getAll("path");
    List<String> paths =
        asked.isEmpty()
            ? List.of()
            : asked.stream().map(BundleRoutes::relativePath).distinct().toList();
    String base = ctx.queryParams().get("base_hash");
    if (base != null && !CommitHash.valid(base)) {
      throw new HttpException(422, "base_hash: " + CommitHash.RULE);
    }
    BundleQuery request = new BundleQuery(scopeId, base, BundleQuery.Format.JSON, List.of(), paths);
    ServedAnswer answer =
        paths.isEmpty() ? cached.find(scopeId, ServedBundles.key(false, base)) : null;
    if (answer != null) {
      send(ctx, answer, CachedAnswers.JSON_TYPE);
      return;
    }
    askBundle(ctx, request).onSuccess(reply -> send(ctx, answerOf(reply), CachedAnswers.JSON_TYPE));
  }

  /** {@code GET /scopes/{id}/bundle.tar.gz}. */
  void opaBundle(RoutingContext ctx, String scopeId) {
    BundleQuery request = new BundleQuery(scopeId, null, BundleQuery.Format.TAR, List.of());
    Integer wait = preferWait(ctx);
    ServedAnswer answer = cached.find(scopeId, TAR_KEY);
    if (answer != null) {
      sendTar(ctx, request, wait, answer);
      return;
    }
    askBundle(ctx, request).onSuccess(reply -> sendTar(ctx, request, wait, answerOf(reply)));
  }

  /** OPA's bundle: sent; or, on a long poll for the bundle the client already holds, held. */
  private void sendTar(RoutingContext ctx, BundleQuery request, Integer wait, ServedAnswer answer) {
    if (wait == null) {
      send(ctx, answer, CachedAnswers.GZIP_TYPE);
    } else if (!clientHolds(ctx, answer)) {
      send(ctx, answer, CachedAnswers.OPA_TYPE);
    } else {
      holdUntilChanged(ctx, request, answer.scopeId(), wait);
    }
  }

  /** OPA's long poll: answer at once when the policy changes, else 304 after the wait. */
  private void holdUntilChanged(
      RoutingContext ctx, BundleQuery request, String servedScope, int waitSeconds) {
    LongPolls.Waiter waiter =
        longPolls.hold(
            servedScope,
            waitSeconds * 1000L,
            () -> {
              // Woken by a change: the new build may be here already (another client asked first).
              ServedAnswer answer = cached.find(request.scopeId(), TAR_KEY);
              if (answer != null && !clientHolds(ctx, answer)) {
                send(ctx, answer, CachedAnswers.OPA_TYPE);
                return Future.succeededFuture();
              }
              return askBundle(ctx, request)
                  .onSuccess(reply -> send(ctx, answerOf(reply), CachedAnswers.OPA_TYPE));
            });
    ctx.response().closeHandler(closed -> waiter.cancel());
  }

  private Future<BundleReply> askBundle(RoutingContext ctx, BundleQuery request) {
    List<String> ifNoneMatch =
        EntityTags.parse(ctx.request().headers().getAll(HttpHeaders.IF_NONE_MATCH));
    return owners.bundle(request.withIfNoneMatch(ifNoneMatch)).onFailure(ctx::fail);
  }

  /**
   * The fetcher's reply as an answer (its body empty when it was a 304: the client holds that ETag,
   * which {@link CachedAnswers#send} finds again).
   */
  private static ServedAnswer answerOf(BundleReply reply) {
    return ServedAnswer.of(reply.scopeId(), reply.commit(), reply.etag(), reply.body());
  }

  private void send(RoutingContext ctx, ServedAnswer answer, CharSequence contentType) {
    cached.send(ctx.response(), ctx.request().headers(), answer, contentType);
  }

  private static boolean clientHolds(RoutingContext ctx, ServedAnswer answer) {
    return EntityTags.matches(
        ctx.request().headers().getAll(HttpHeaders.IF_NONE_MATCH), answer.etag());
  }

  /**
   * OPAL's {@code normalize_path}: a leading {@code /} dropped; {@code ..} and empty parts refused.
   */
  private static String relativePath(String path) {
    String relative = path.startsWith("/") ? path.substring(1) : path;
    while (relative.endsWith("/") && relative.length() > 1) {
      relative = relative.substring(0, relative.length() - 1);
    }
    if (relative.isEmpty() || relative.equals("/")) {
      return ".";
    }
    for (String part : relative.split("/", -1)) {
      if (part.isEmpty() || part.equals("..") || part.indexOf('\0') >= 0) {
        throw new HttpException(
            422, "path: '" + path + "' is not a relative path inside the repository");
      }
    }
    return relative.startsWith("./") ? relative.substring(2) : relative;
  }

  private static Integer preferWait(RoutingContext ctx) {
    String prefer = ctx.request().getHeader("Prefer");
    if (prefer == null || ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH) == null) {
      return null;
    }
    Matcher m = PREFER_WAIT.matcher(prefer);
    if (!m.find()) {
      return null;
    }
    return Math.min(MAX_WAIT_SECONDS, Integer.parseInt(m.group(1)));
  }
}
