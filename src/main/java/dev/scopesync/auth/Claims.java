package dev.scopesync.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a verified OPAL token says about its holder, and the three checks OPAL's scopes API makes
 * with it. Claim names are OPAL's: {@code peer_type} ({@code client}, {@code datasource}, {@code
 * listener}), {@code allowed_scopes}, {@code permitted_topics}.
 *
 * <p>Claims from a {@link AccessPolicy#disabled() disabled} policy are not {@link #enforced()}:
 * every check passes, as in OPAL when no public key is configured. Immutable; thread-safe.
 *
 * @param peerType the {@code peer_type} claim as text; null when absent
 * @param allowedScopes the {@code allowed_scopes} claim's strings; null when absent or not a list.
 *     Either way, like an empty list, it allows no scope: OPAL's rule
 * @param permittedTopics the {@code permitted_topics} claim's strings; null when absent, which
 *     permits every topic (OPAL's rule); empty when the claim is present but not a list
 * @param raw the verified payload (a copy); never the token itself
 * @param enforced false only for the claims of a disabled policy
 */
public record Claims(
    String peerType,
    List<String> allowedScopes,
    List<String> permittedTopics,
    JsonObject raw,
    boolean enforced) {

  public static final String PEER_TYPE = "peer_type";
  public static final String ALLOWED_SCOPES = "allowed_scopes";
  public static final String PERMITTED_TOPICS = "permitted_topics";

  /** OPAL's {@code PeerType} values. */
  public static final String CLIENT = "client";

  public static final String DATASOURCE = "datasource";
  public static final String LISTENER = "listener";

  private static final Set<String> PEER_TYPES = Set.of(CLIENT, DATASOURCE, LISTENER);
  private static final Claims UNRESTRICTED = new Claims(null, null, null, new JsonObject(), false);

  public Claims {
    allowedScopes = allowedScopes == null ? null : List.copyOf(allowedScopes);
    permittedTopics = permittedTopics == null ? null : List.copyOf(permittedTopics);
    raw = raw == null ? new JsonObject() : raw.copy();
  }

  /** Enforced claims, as a verified token gives. */
  public Claims(
      String peerType, List<String> allowedScopes, List<String> permittedTopics, JsonObject raw) {
    this(peerType, allowedScopes, permittedTopics, raw, true);
  }

  /** What a disabled policy grants: everything. */
  public static Claims unrestricted() {
    return UNRESTRICTED;
  }

  /** Reads OPAL's claims from a verified token payload (the payload is copied, not kept). */
  public static Claims fromPayload(JsonObject payload) {
    Object peerType = payload.getValue(PEER_TYPE);
    Object topics = payload.getValue(PERMITTED_TOPICS);
    return new Claims(
        peerType == null ? null : peerType.toString(),
        strings(payload.getValue(ALLOWED_SCOPES)),
        // Present but not a list (null, a string…): OPAL would fail the request; permit nothing.
        payload.containsKey(PERMITTED_TOPICS) && !(topics instanceof JsonArray)
            ? List.of()
            : strings(topics),
        payload);
  }

  /** A copy of the verified payload. */
  @Override
  public JsonObject raw() {
    return raw.copy();
  }

  /**
   * OPAL's {@code require_peer_type(..., PeerType.datasource)}: the scope management routes,
   * refresh, data-update publishing and the stats.
   *
   * @throws AuthFailure 403 when {@code peer_type} is missing, unknown or not {@code datasource}
   */
  public void requireDatasource() {
    if (!enforced) {
      return;
    }
    if (peerType == null) {
      throw AuthFailure.forbidden("Missing 'peer_type' claim for OPAL jwt token");
    }
    if (!PEER_TYPES.contains(peerType)) {
      throw AuthFailure.forbidden("Invalid 'peer_type' claim for OPAL jwt token: " + peerType);
    }
    if (!DATASOURCE.equals(peerType)) {
      throw AuthFailure.forbidden(
          "Incorrect 'peer_type' claim for OPAL jwt token: "
              + peerType
              + ", expected: "
              + DATASOURCE);
    }
  }

  /**
   * OPAL's scoped check on {@code /scopes/{id}/policy} and {@code /scopes/{id}/data}: the requested
   * id must be listed in {@code allowed_scopes}, whatever the peer type. A token without the claim
   * reads no scope. Check the id the caller asked for, before any fallback to {@code default}.
   *
   * @throws AuthFailure 403 when {@code scopeId} is not listed
   */
  public void requireScope(String scopeId) {
    if (!enforced) {
      return;
    }
    if (scopeId == null || allowedScopes == null || !allowedScopes.contains(scopeId)) {
      throw AuthFailure.forbidden(
          "Not allowed to access scope "
              + scopeId
              + ": it is not in the token's '"
              + ALLOWED_SCOPES
              + "' claim");
    }
  }

  /**
   * OPAL's {@code restrict_optional_topics_to_publish}: when the token has {@code
   * permitted_topics}, every topic of every entry of a data update must be in it. Pass the topics
   * as the client sent them, before any {@code data:} prefix is added.
   *
   * @throws AuthFailure 403 naming the topics that are not permitted
   */
  public void requireTopics(List<String> topics) {
    if (!enforced || permittedTopics == null || topics == null) {
      return;
    }
    Set<String> refused = new LinkedHashSet<>();
    for (String topic : topics) {
      if (topic == null || !permittedTopics.contains(topic)) {
        refused.add(topic);
      }
    }
    if (!refused.isEmpty()) {
      throw AuthFailure.forbidden("Invalid 'topics' to publish " + refused);
    }
  }

  /** The strings of a JSON list; null when {@code value} is not a list. */
  private static List<String> strings(Object value) {
    if (!(value instanceof JsonArray array)) {
      return null;
    }
    List<String> strings = new ArrayList<>(array.size());
    for (Object item : array) {
      // Other items can never equal a scope id or a topic (OPAL compares with `in`).
      if (item instanceof String s) {
        strings.add(s);
      }
    }
    return strings;
  }
}
