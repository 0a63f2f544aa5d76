package dev.scopesync.fetcher;

import io.vertx.core.Future;
import java.util.concurrent.Callable;

/**
 * Runs blocking git work on the named git worker pool; the future completes on the caller's
 * context.
 */
@FunctionalInterface
interface GitPool {
  <T> Future<T> run(Callable<T> work);
}
