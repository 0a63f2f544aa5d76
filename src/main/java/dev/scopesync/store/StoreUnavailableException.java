package dev.scopesync.store;

import dev.scopesync.model.CodedFailure;

/** The scope store cannot be read or written right now (HTTP 503). */
public final class StoreUnavailableException extends RuntimeException implements CodedFailure {
  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int status() {
    return 503;
  }
}
