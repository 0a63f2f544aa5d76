/**
 * OPAL-compatible JWT authorization: {@link dev.scopesync.auth.AccessPolicy} verifies the bearer
 * token once per request, {@link dev.scopesync.auth.Claims} says what it permits, and an {@link
 * dev.scopesync.auth.AuthFailure} carries the 401 or 403 to answer with.
 *
 * <p>The rules, route by route, as OPAL's {@code opal_server/scopes/api.py} applies them (every
 * check passes when the policy is disabled):
 *
 * <pre>
 * PUT    /scopes                     authenticate, requireDatasource
 * GET    /scopes                     authenticate, requireDatasource
 * GET    /scopes/{id}                authenticate, requireDatasource
 * DELETE /scopes/{id}                authenticate, requireDatasource
 * POST   /scopes/{id}/refresh        authenticate, requireDatasource
 * POST   /scopes/refresh             authenticate, requireDatasource
 * GET    /scopes/{id}/policy         authenticate, requireScope(id)   (any peer type; before the default-scope fallback)
 * GET    /scopes/{id}/bundle.tar.gz  authenticate, requireScope(id)   (ours; same rule as /policy)
 * GET    /scopes/{id}/data           authenticate, requireScope(id)
 * POST   /scopes/{id}/data/update    authenticate, requireDatasource, requireTopics(every entry's topics)
 *                                    (no requireScope: OPAL does not check allowed_scopes here)
 * POST   /webhook                    no JWT: the webhook secret
 * GET    /internal/stats             authenticate, requireDatasource  (DESIGN §6)
 * GET    /healthz, /ready, /metrics  no JWT
 * </pre>
 *
 * <p>On the event bus, {@code scopesync.scopes.put|get|list|delete|refresh} and {@code
 * scopesync.stats} take the datasource rule, {@code scopesync.scopes.policy} the scope rule. Answer
 * a 401 with {@code WWW-Authenticate: Bearer}, as OPAL does.
 */
package dev.scopesync.auth;
