package dev.scopesync.http;

import static dev.scopesync.http.JsonAnswers.sendDetail;
import static dev.scopesync.http.JsonAnswers.sendJson;

import dev.scopesync.auth.AuthFailure;
import dev.scopesync.auth.BearerToken;
import dev.scopesync.digest.Sha256;
import dev.scopesync.signing.JwtSigner;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OPAL's token minting (its {@code security/api.py}): {@code POST /token} with the master token as
 * bearer, OPAL's {@code AccessTokenRequest} in, OPAL's {@code AccessToken} out, the JWT carrying
 * what OPAL's signer puts in ({@code iat}, {@code exp}, {@code aud}, {@code iss}, {@code sub} = the
 * id, then {@code peer_type} and the requested claims); and {@code GET /.well-known/jwks.json}.
 *
 * <p>Unlike OPAL, which mints for anyone when no master token is set, no token is minted without
 * one (503). The master token is compared in constant time and never logged. Immutable; runs on the
 * HTTP verticle's event loop (an RSA signature is a millisecond of CPU).
 */
final class TokenRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(TokenRoutes.class);
  private static final Set<String> PEER_TYPES = Set.of("client", "datasource", "listener");
  private static final Duration DEFAULT_TTL = Duration.ofDays(365);

  /** Null when {@code auth.privateKey} is not set. */
  private final JwtSigner signer;

  private final byte[] masterDigest;
  private final String audience;
  private final String issuer;
  private final Clock clock;

  TokenRoutes(JwtSigner signer, String masterToken, String audience, String issuer, Clock clock) {
    this.signer = signer;
    this.masterDigest = masterToken == null ? null : Sha256.of(masterToken);
    this.audience = audience;
    this.issuer = issuer;
    this.clock = clock;
  }

  /** {@code POST /token}. */
  void mint(RoutingContext ctx) {
    if (signer == null) {
      sendDetail(
          ctx,
          503,
          "opal server was not configured with security, cannot generate tokens!"
              + " (auth.privateKey / OPAL_AUTH_PRIVATE_KEY is not set)");
      return;
    }
    if (masterDigest == null) {
      sendDetail(
          ctx,
          503,
          "no master token is configured (auth.masterToken / OPAL_AUTH_MASTER_TOKEN): tokens are"
              + " not minted for anyone who asks");
      return;
    }
    String presented = BearerToken.of(ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
    if (!MessageDigest.isEqual(Sha256.of(presented), masterDigest)) {
      throw AuthFailure.unauthorized("unauthorized to access this endpoint!");
    }
    if (!(JsonBodies.of(ctx) instanceof JsonObject body)) {
      throw new HttpException(422, "body: must be a JSON object (OPAL's AccessTokenRequest)");
    }
    UUID id = id(body.getValue("id"));
    String type = type(body.getValue("type"));
    Duration ttl = ttl(body.getValue("ttl"));
    Object extra = body.getValue("claims");
    if (extra != null && !(extra instanceof JsonObject)) {
      throw new HttpException(422, "claims: must be an object");
    }
    JsonObject claims = new JsonObject().put("peer_type", type);
    if (extra != null) {
      claims.mergeIn((JsonObject) extra);
    }
    Instant now = clock.instant();
    Instant expires = now.plus(ttl);
    JsonObject payload =
        new JsonObject()
            .put("iat", now.getEpochSecond())
            .put("exp", expires.getEpochSecond())
            .put("aud", audience)
            .put("iss", issuer)
            .put("sub", id.toString())
            .mergeIn(claims);
    String token = signer.sign(payload.encode());
    LOG.info("Generated opal token: peer_type={}", claims.getValue("peer_type"));
    sendJson(
        ctx,
        200,
        new JsonObject()
            .put("token", token)
            .put("type", "bearer")
            .put(
                "details",
                new JsonObject()
                    .put("id", id.toString())
                    .put("type", type)
                    .put("expired", naiveUtc(expires))
                    .put("claims", claims))
            .encode());
  }

  /**
   * {@code GET /.well-known/jwks.json}: the signing key's JWK, or {@code {}} without one (OPAL's).
   */
  void jwks(RoutingContext ctx) {
    sendJson(ctx, 200, signer == null ? "{}" : "{\"keys\":[" + signer.publicJwk() + "]}");
  }

  /** pydantic v1's UUID: the canonical form or 32 hex digits; absent → a random one. */
  private static UUID id(Object value) {
    if (value == null) {
      return UUID.randomUUID();
    }
    if (value instanceof String text) {
      String hex =
          text.strip().replace("urn:uuid:", "").replace("{", "").replace("}", "").replace("-", "");
      if (hex.matches("[0-9a-fA-F]{32}")) {
        return new UUID(
            Long.parseUnsignedLong(hex.substring(0, 16), 16),
            Long.parseUnsignedLong(hex.substring(16), 16));
      }
    }
    throw new HttpException(422, "id: value is not a valid uuid");
  }

  private static String type(Object value) {
    if (value == null) {
      return "client";
    }
    if (value instanceof String text && PEER_TYPES.contains(text)) {
      return text;
    }
    throw new HttpException(422, "type: must be one of client, datasource, listener");
  }

  /**
   * pydantic v1's timedelta: seconds (a number or its text) or an ISO-8601 duration; absent → 365
   * days.
   */
  static Duration ttl(Object value) {
    if (value == null) {
      return DEFAULT_TTL;
    }
    try {
      if (value instanceof Number n) {
        return seconds(n.doubleValue());
      }
      if (value instanceof String text && !text.isBlank()) {
        String t = text.strip();
        return t.matches("-?\\d+(\\.\\d+)?")
            ? seconds(Double.parseDouble(t))
            : positive(Duration.parse(t));
      }
    } catch (DateTimeParseException | ArithmeticException e) {
      // refused below
    }
    throw new HttpException(
        422, "ttl: invalid duration format (seconds, or ISO-8601 such as P30D or PT1H)");
  }

  private static Duration seconds(double seconds) {
    if (Double.isNaN(seconds) || Double.isInfinite(seconds) || seconds > 1e11) {
      throw new ArithmeticException("out of range");
    }
    return positive(Duration.ofNanos(Math.round(seconds * 1e9)));
  }

  private static Duration positive(Duration ttl) {
    if (ttl.isNegative() || ttl.isZero()) {
      throw new HttpException(422, "ttl: must be a positive duration");
    }
    return ttl;
  }

  /** {@code datetime.utcnow() + ttl} as pydantic writes a naive datetime: ISO-8601, no offset. */
  private static String naiveUtc(Instant instant) {
    return DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(
        instant.atOffset(ZoneOffset.UTC).toLocalDateTime());
  }
}
