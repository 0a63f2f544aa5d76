package dev.scopesync.bus;

/** Every event-bus address, defined once (DESIGN §7). */
public final class Addresses {
  public static final String SCOPES_PUT = "scopesync.scopes.put";
  public static final String SCOPES_GET = "scopesync.scopes.get";

  /** A scope's last sync outcome on the node asked: {@code {"scope_id", "status"}}. */
  public static final String SCOPES_STATUS = "scopesync.scopes.status";

  public static final String SCOPES_LIST = "scopesync.scopes.list";

  /** The most scopes one page of {@link #SCOPES_LIST} (and {@code GET /scopes?limit=}) answers. */
  public static final int MAX_PAGE = 10_000;

  public static final String SCOPES_DELETE = "scopesync.scopes.delete";
  public static final String SCOPES_REFRESH = "scopesync.scopes.refresh";
  public static final String SCOPES_POLICY = "scopesync.scopes.policy";
  public static final String STATS = "scopesync.stats";

  /**
   * Internal (HTTP to scopes): a verified push event; answers the ids of the scopes it refreshed.
   */
  public static final String WEBHOOK_PUSH = "scopesync.webhook.push";

  /**
   * Internal, published by a node after it wrote a shared store: the others re-read that scope
   * ({@code {scope_id, node}}).
   */
  public static final String SCOPES_CHANGED = "scopesync.scopes.changed";

  /** Internal: answers when the store answers and the fetcher is deployed, else fails with why. */
  public static final String READY = "scopesync.ready";

  public static final String POLICY_UPDATED = "scopesync.policy-updated";
  public static final String DATA_UPDATED = "scopesync.data-updated";
  public static final String SCOPE_DELETED = "scopesync.scope-deleted";

  /** Fetcher-internal: not a public API, never bridged. */
  public static final String FETCHER_PREFIX = "scopesync.fetcher.";

  /** Published to every node's fetcher: sync one scope. */
  public static final String FETCHER_SYNC = FETCHER_PREFIX + "sync";

  /** Sent to this node's fetcher: sync a batch and answer when it is done (boot, polling). */
  public static final String FETCHER_SYNC_LOCAL = FETCHER_PREFIX + "sync-local";

  /** Sent to this node's fetcher at start: purge the clone directories no scope uses. */
  public static final String FETCHER_SWEEP = FETCHER_PREFIX + "sweep";

  /** Published to every node's fetcher: a scope left a source. */
  public static final String FETCHER_DELETE = FETCHER_PREFIX + "delete";

  /** A bundle request, answered by the fetcher. */
  public static final String FETCHER_BUNDLE = FETCHER_PREFIX + "bundle";

  /** The fetcher's own counts, answered by the local fetcher. */
  public static final String FETCHER_STATS = FETCHER_PREFIX + "stats";

  /** Fetcher to scope verticle: the current stored scope (with secrets) or 404. */
  public static final String FETCHER_SCOPE = FETCHER_PREFIX + "scope";

  /** Fetcher to scope verticle: does any stored scope use this source id? */
  public static final String FETCHER_SOURCE_IN_USE = FETCHER_PREFIX + "source-in-use";

  /**
   * Published by a fetcher after every sync, whatever its outcome (tests and benchmarks listen).
   */
  public static final String FETCHER_SYNCED = FETCHER_PREFIX + "synced";

  /** Published by a fetcher after every delete job. */
  public static final String FETCHER_DELETED = FETCHER_PREFIX + "deleted";

  /**
   * Fetcher to this node's scope verticle, sharded clusters only: send every scope, in chunks, to
   * {@link #FETCHER_ACQUIRE_LOCAL} (a new fetcher view gave this node sources); answers when done.
   */
  public static final String FETCHER_OFFER_SCOPES = FETCHER_PREFIX + "offer-scopes";

  /**
   * Scope verticle to this node's fetcher: a chunk of every scope, of which the fetcher clones the
   * sources it now owns and does not hold (SHARDING.md §3.6); answered when the chunk is done.
   */
  public static final String FETCHER_ACQUIRE_LOCAL = FETCHER_PREFIX + "acquire-local";

  /**
   * A per-node fetcher address, {@code scopesync.fetcher.node.<nodeId>.<service>} (SHARDING.md
   * §3.7): under the fetcher prefix, so never bridged.
   */
  public static String fetcherNode(String nodeId, String service) {
    return FETCHER_PREFIX + "node." + nodeId + "." + service;
  }

  private Addresses() {}

  public static String policyUpdated(String scopeId) {
    return POLICY_UPDATED + "." + scopeId;
  }

  public static String dataUpdated(String scopeId) {
    return DATA_UPDATED + "." + scopeId;
  }
}
