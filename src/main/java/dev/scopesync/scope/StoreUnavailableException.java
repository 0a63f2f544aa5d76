package dev.scopesync.scope;

import dev.scopesync.bus.Failures;

/** The scope store cannot be read or written right now (HTTP 503). */
public final class StoreUnavailableException extends RuntimeException implements Failures.Coded {
  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int status() {
    return Failures.UNAVAILABLE;
  }
}
