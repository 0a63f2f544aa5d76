package dev.scopesync.store;

import dev.scopesync.model.InvalidScopeException;
import dev.scopesync.model.Scope;
import dev.scopesync.validation.ScopeParser;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How OPAL keeps a scope in Redis, and so how scopesync does: the string key {@code
 * permit.io/Scope:<scope_id>} holding the scope's JSON, secrets included (OPAL's {@code
 * ScopeRepository} key and pydantic schema). Keys outside that prefix are none of ours.
 *
 * <p>A value that is not a scope reads as none, logged by its key's scope id and the broken field
 * only, never the value: it holds secrets. Immutable; safe from any thread.
 */
final class OpalScopeLayout {
  // The store's logger: one name to follow for everything the Redis store reports.
  private static final Logger LOG = LoggerFactory.getLogger(RedisScopeStore.class);

  /** OPAL's {@code ScopeRepository} prefix plus its separator. */
  static final String KEY_PREFIX = "permit.io/Scope:";

  /** The SCAN pattern of every scope key. */
  static final String KEY_PATTERN = KEY_PREFIX + "*";

  private final ScopeParser parser;

  OpalScopeLayout(ScopeParser parser) {
    this.parser = parser;
  }

  static String keyOf(String scopeId) {
    return KEY_PREFIX + scopeId;
  }

  /** The scope id of a key SCAN matched with {@link #KEY_PATTERN}. */
  static String scopeIdOf(Response key) {
    return key.toString(StandardCharsets.UTF_8).substring(KEY_PREFIX.length());
  }

  /** The value to store: the JSON OPAL writes and reads. */
  static String encode(Scope scope) {
    return scope.toStoredJson().encode();
  }

  /** The scope a GET inside a transaction answered, or null, also when the key held no string. */
  Scope replaced(String scopeId, Response value) {
    if (value == null) {
      return null;
    }
    if (value.type() == ResponseType.ERROR) {
      LOG.warn("scope_id={}: the key held no string, it was replaced", scopeId);
      return null;
    }
    return decode(scopeId, value);
  }

  /** The stored scope of {@code scopeId}'s key, or null when the value is not one. */
  Scope decode(String scopeId, Response value) {
    Scope scope;
    try {
      scope = parser.parse(new JsonObject(value.toString(StandardCharsets.UTF_8)));
    } catch (InvalidScopeException e) {
      LOG.error("skipping stored scope_id={}: field {} is invalid", scopeId, e.field());
      return null;
    } catch (RuntimeException e) {
      LOG.error(
          "skipping stored scope_id={}: its value is not a JSON object ({})",
          scopeId,
          e.getClass().getSimpleName());
      return null;
    }
    if (!scope.scopeId().equals(scopeId)) {
      LOG.error("skipping stored scope_id={}: the value names another scope_id", scopeId);
      return null;
    }
    return scope;
  }
}
