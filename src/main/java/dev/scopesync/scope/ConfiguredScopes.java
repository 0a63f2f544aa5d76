package dev.scopesync.scope;

import dev.scopesync.config.ServerConfig;
import dev.scopesync.model.Scope;
import dev.scopesync.store.ScopeStore;
import dev.scopesync.validation.ScopeParser;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scopes the configuration names: the config file's {@code scopes} (created when the store
 * lacks them) and OPAL's {@code POLICY_REPO_*} default scope (kept as configured). Done once, at
 * start or at the boot retry after a store that was down.
 *
 * <p>Used from the scope verticle's context only.
 */
final class ConfiguredScopes {
  private static final Logger LOG = LoggerFactory.getLogger(ConfiguredScopes.class);

  private final ServerConfig config;
  private final ScopeParser parser;
  private final ScopeStore store;
  private final ScopeMirror mirror;
  private final SyncOrders orders;
  private boolean created;

  ConfiguredScopes(
      ServerConfig config,
      ScopeParser parser,
      ScopeStore store,
      ScopeMirror mirror,
      SyncOrders orders) {
    this.config = config;
    this.parser = parser;
    this.store = store;
    this.mirror = mirror;
    this.orders = orders;
  }

  /** Creates the configured scopes the store lacks and updates the owned ones; once. */
  Future<Void> ensure() {
    if (created) {
      return Future.succeededFuture();
    }
    List<Future<?>> all = new ArrayList<>();
    for (int i = 0; i < config.scopes().size(); i++) {
      Scope scope = parser.parse(config.scopes().getJsonObject(i));
      all.add(
          store
              .get(scope.scopeId())
              .compose(
                  existing ->
                      existing != null
                          ? Future.succeededFuture(mirror.put(existing))
                          : store
                              .put(scope)
                              .onSuccess(
                                  x -> {
                                    mirror.put(scope);
                                    mirror.announce(scope.scopeId());
                                    LOG.info(
                                        "scope_id={} created from the config file",
                                        scope.scopeId());
                                  })));
    }
    for (Object owned : config.opal().ownedScopes()) {
      all.add(putOwned(parser.parse(owned)));
    }
    return Future.all(all).<Void>mapEmpty().onSuccess(done -> created = true);
  }

  /**
   * A scope the configuration owns (OPAL's {@code POLICY_REPO_*} default scope) follows it: put
   * when stored differently, as OPAL's loader re-puts it at every start. A moved source is purged
   * like any PUT's, when nothing else uses it.
   */
  private Future<Void> putOwned(Scope scope) {
    return store
        .get(scope.scopeId())
        .compose(
            existing -> {
              if (scope.equals(existing)) {
                mirror.put(existing);
                return Future.succeededFuture();
              }
              return store
                  .put(scope)
                  .map(
                      stored -> {
                        Scope indexed = mirror.put(scope);
                        Scope previous = existing != null ? existing : indexed;
                        orders.replaced(previous, scope);
                        mirror.announce(scope.scopeId());
                        LOG.info(
                            "scope_id={} {} from the OPAL_POLICY_REPO_* environment",
                            scope.scopeId(),
                            existing == null ? "created" : "updated");
                        return null;
                      });
            });
  }
}
