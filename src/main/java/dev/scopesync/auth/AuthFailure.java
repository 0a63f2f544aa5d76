package dev.scopesync.auth;

/**
 * A request refused by the {@link AccessPolicy}: {@code 401} when its bearer token is missing or
 * not valid, {@code 403} when the token is valid but does not permit what was asked. The message is
 * the {@code detail} to answer with; it never contains the token, nor a cause that might.
 *
 * <p>An expected outcome rather than a bug, so it carries no stack trace.
 */
public final class AuthFailure extends RuntimeException {
  public static final int UNAUTHORIZED = 401;
  public static final int FORBIDDEN = 403;

  private static final long serialVersionUID = 1L;

  private final int status;

  private AuthFailure(int status, String detail) {
    super(detail, null, false, false);
    this.status = status;
  }

  /** The token is missing, malformed, expired, not yet valid, or not ours. */
  public static AuthFailure unauthorized(String detail) {
    return new AuthFailure(UNAUTHORIZED, detail);
  }

  /** The token is valid but its claims do not permit the request. */
  public static AuthFailure forbidden(String detail) {
    return new AuthFailure(FORBIDDEN, detail);
  }

  /** The HTTP status (and event-bus failure code): 401 or 403. */
  public int status() {
    return status;
  }
}
