package dev.scopesync.scope;

import dev.scopesync.bus.SyncedEvent;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The last sync outcome of each scope on this node, for {@code GET /scopes/{id}}'s {@code status}:
 * {@code ok} with the commit, or {@code error} with what failed ({@code kind}) and whether it needs
 * a person. Kept by the mirror, which forgets a scope's entry when the scope goes, so it never
 * holds more entries than there are scopes.
 *
 * <p>Not thread-safe: used from the scope verticle's context only.
 */
final class SyncStatuses {
  private final Map<String, JsonObject> statuses = new HashMap<>();

  /** Records a sync of this node's fetcher; a skipped or backed-off sync changes nothing. */
  void record(SyncedEvent event, Instant at) {
    if (!SyncedEvent.OK.equals(event.outcome()) && !SyncedEvent.ERROR.equals(event.outcome())) {
      return;
    }
    JsonObject status = new JsonObject().put("outcome", event.outcome()).put("at", at.toString());
    if (SyncedEvent.OK.equals(event.outcome())) {
      status.put("commit", event.commit());
    } else {
      status
          .put("kind", event.kind())
          .put("needs_person", event.needsPerson())
          .put("error", event.error());
    }
    statuses.put(event.scopeId(), status);
  }

  /** The scope's last outcome, or null before its first sync here. */
  JsonObject of(String scopeId) {
    JsonObject status = statuses.get(scopeId);
    return status == null ? null : status.copy();
  }

  void forget(String scopeId) {
    statuses.remove(scopeId);
  }

  int size() {
    return statuses.size();
  }
}
