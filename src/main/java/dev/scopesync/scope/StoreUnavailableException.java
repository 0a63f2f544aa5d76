package dev.scopesync.scope;

/** The scope store cannot be read or written right now (HTTP 503). */
public final class StoreUnavailableException extends RuntimeException {
  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
