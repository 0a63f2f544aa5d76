package dev.scopesync.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.HostAndPort;
import java.util.List;
import java.util.regex.Pattern;

/**
 * RFC 9112 section 3.2 at the door, before any route sees a request: an HTTP/1.1 request needs
 * exactly one valid {@code Host} header, any request with two or with an invalid one is refused,
 * and an absolute-form target ({@code GET http://host/path}) is served by its own authority,
 * whatever Host says (section 3.2.2).
 *
 * <p>Vert.x Web refuses a missing Host itself, but as a failure our edge used to take for a server
 * fault (a 500), and it lets two Host headers through and ignores an absolute-form authority.
 * Deciding here keeps all of that out of the router. Stateless; call on the request's event loop.
 */
final class HostRule {
  /**
   * {@code scheme "://"}: RFC 3986's scheme, then an authority (absolute-form, RFC 9112 section
   * 3.2.2).
   */
  private static final Pattern ABSOLUTE_FORM =
      Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://.*", Pattern.DOTALL);

  /**
   * The last authority found valid: a kept-alive client sends the same Host on every request, and
   * Vert.x's parser allocates each time. A String, so a racing read sees one whole value or
   * another.
   */
  private static volatile String lastValid = "";

  private HostRule() {}

  /**
   * Checks {@code request}'s Host; for an absolute-form target, replaces its Host headers with the
   * target's authority (so routing sees the authority it will be served by).
   *
   * @return null when the request may be routed, else the 400 to answer
   */
  static EdgeFailures.Answer check(HttpServerRequest request) {
    String target = request.uri();
    // Origin-form (the usual one) starts with '/': no pattern to run.
    if (target != null && !target.startsWith("/") && ABSOLUTE_FORM.matcher(target).matches()) {
      return adoptTargetAuthority(request, target);
    }
    List<String> hosts = request.headers().getAll(HttpHeaders.HOST);
    if (hosts.size() > 1) {
      return refused(
          "a request must not carry " + hosts.size() + " Host headers (RFC 9112 section 3.2)");
    }
    if (hosts.isEmpty()) {
      return request.version() == HttpVersion.HTTP_1_0
          ? null
          : refused("an HTTP/1.1 request needs a Host header (RFC 9112 section 3.2)");
    }
    return validAuthority(hosts.get(0))
        ? null
        : refused("the Host header is not a valid host[:port] (RFC 9112 section 3.2)");
  }

  private static EdgeFailures.Answer adoptTargetAuthority(
      HttpServerRequest request, String target) {
    int start = target.indexOf("://") + 3;
    int end = start;
    while (end < target.length() && "/?#".indexOf(target.charAt(end)) < 0) {
      end++;
    }
    String authority = target.substring(start, end);
    if (authority.indexOf('@') >= 0 || !validAuthority(authority)) {
      return refused(
          "the request target's authority is not a valid host[:port] (RFC 9112 section 3.2.2)");
    }
    request.headers().set(HttpHeaders.HOST, authority);
    return null;
  }

  /** Vert.x's parser throws on some malformed input ({@code %41}) instead of answering null. */
  private static boolean validAuthority(String text) {
    if (text.equals(lastValid)) {
      return true;
    }
    try {
      boolean valid = HostAndPort.parseAuthority(text, -1) != null;
      if (valid) {
        lastValid = text;
      }
      return valid;
    } catch (RuntimeException malformed) {
      return false;
    }
  }

  private static EdgeFailures.Answer refused(String detail) {
    return new EdgeFailures.Answer(400, detail);
  }
}
