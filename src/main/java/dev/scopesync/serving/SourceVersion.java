package dev.scopesync.serving;

/**
 * A source's refs as one sync (or one read of the clone) left them. Answers built at this version
 * are served only while it is current: the fetcher marks it stale, before it announces the change,
 * when a later sync moves a ref the answers may depend on or the source is purged. One field read
 * decides, however many scopes share the source, so no index walk is needed.
 *
 * <p>Thread-safe: marked on the fetcher's context, read on every event loop.
 */
public final class SourceVersion {
  private volatile boolean current = true;

  /** Whether answers at this version may still be served. */
  public boolean current() {
    return current;
  }

  /** From now on no answer at this version is served. Never undone. */
  public void markStale() {
    current = false;
  }
}
