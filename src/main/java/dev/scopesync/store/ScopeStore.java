package dev.scopesync.store;

import dev.scopesync.model.Scope;
import io.vertx.core.Future;
import java.util.List;

/**
 * Where scopes are kept (DESIGN §9). Every method answers on the caller's context and never blocks
 * it. A store that cannot be reached fails its futures with {@link StoreUnavailableException}.
 */
public interface ScopeStore {
  /** The scope, or null when there is none. */
  Future<Scope> get(String scopeId);

  Future<List<Scope>> all();

  /** Stores the scope; answers the one it replaced, or null. */
  Future<Scope> put(Scope scope);

  /** Removes the scope; answers the one removed, or null. */
  Future<Scope> delete(String scopeId);

  /**
   * Whether other nodes or programs write this store too (Redis: other scopesync nodes, OPAL, an
   * operator): then a node's index is reconciled with it and confirms with it before purging.
   */
  default boolean shared() {
    return false;
  }

  /** Succeeds when the store answers; the failure says why not. */
  Future<Void> ping();

  Future<Void> close();
}
