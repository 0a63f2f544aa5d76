/**
 * Serving at the limit (DESIGN §18): the node-local, read-only index of built bundles that answers
 * cached bundle requests on the event loop that received them, with no event-bus message, no copy
 * of the body and no JSON encoding per request.
 *
 * <p>Three owners touch it, each for one thing: the scope verticle opens a scope's slot when it
 * tells the fetcher the scope for serving and closes it whenever the scope changes or goes; the
 * fetcher publishes what it built (or had cached) into an open slot, marks a source's answers stale
 * when a sync moves its refs, and drops them when it purges the source; the HTTP verticles only
 * read. A miss goes to the fetcher as before.
 */
package dev.scopesync.serving;
