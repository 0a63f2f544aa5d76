package dev.scopesync.webhook;

/** A webhook request that cannot be acted on; {@link #status()} is the HTTP status to answer. */
public final class WebhookException extends RuntimeException {
  private final int status;

  public WebhookException(int status, String message) {
    super(message);
    this.status = status;
  }

  public int status() {
    return status;
  }
}
