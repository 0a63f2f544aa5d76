package dev.scopesync.auth;

/**
 * Finds the token in what a caller presents: an {@code Authorization} header value ({@code Bearer
 * <token>}, the scheme in any case, as OPAL's {@code get_token_from_header}) or a bare token (what
 * event-bus callers send).
 */
public final class BearerToken {
  static final String NOT_PROVIDED = "access token was not provided";

  private BearerToken() {}

  /** The token; {@link AuthFailure} 401 when there is none. */
  public static String of(String headerOrToken) {
    if (headerOrToken == null || headerOrToken.isBlank()) {
      throw AuthFailure.unauthorized(NOT_PROVIDED);
    }
    String value = headerOrToken.strip();
    int space = indexOfWhitespace(value);
    if (space < 0) {
      if (value.equalsIgnoreCase("bearer")) {
        throw AuthFailure.unauthorized(NOT_PROVIDED);
      }
      return value;
    }
    if (!value.substring(0, space).equalsIgnoreCase("bearer")) {
      // Never echo what was sent: a Basic header carries a password.
      throw AuthFailure.unauthorized(NOT_PROVIDED + " (expected 'Authorization: Bearer <token>')");
    }
    String token = value.substring(space + 1).strip();
    if (indexOfWhitespace(token) >= 0) {
      throw AuthFailure.unauthorized(AccessPolicy.CANNOT_DECODE);
    }
    return token;
  }

  private static int indexOfWhitespace(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isWhitespace(s.charAt(i))) {
        return i;
      }
    }
    return -1;
  }
}
