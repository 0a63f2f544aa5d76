package dev.scopesync.validation;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Decides whether a remote url may be used: it must parse, its scheme must be allowed, it must not
 * carry credentials (those belong in {@code auth}) and it must not name a transport helper such as
 * {@code ext::}, which would run a command on this host.
 */
public final class GitUrlPolicy {
  /** {@code user@host:path} (scp-like ssh), with no {@code ://}. */
  private static final Pattern SCP_LIKE =
      Pattern.compile("^(?:[A-Za-z0-9._~-]+@)?([A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\]):(?!/?/)(.+)$");

  private static final Pattern HELPER = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*::");

  private final Set<String> allowedSchemes;

  public GitUrlPolicy(Set<String> allowedSchemes) {
    this.allowedSchemes = Set.copyOf(allowedSchemes);
  }

  /**
   * @return null when the url is acceptable, else what is wrong with it
   */
  public String problemWith(String url) {
    if (url.isBlank()) {
      return "must not be empty";
    }
    if (url.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == ' ')) {
      return "must not contain spaces or control characters";
    }
    if (HELPER.matcher(url).find()) {
      return "transport helpers (like ext::) are not allowed";
    }
    if (!url.contains("://")) {
      if (SCP_LIKE.matcher(url).matches()) {
        return allowed("ssh");
      }
      if (url.startsWith("/")) {
        return allowed("file");
      }
      return "is not a url (expected scheme://host/path or user@host:path)";
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return "does not parse: " + e.getReason();
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    String schemeProblem = allowed(scheme);
    if (schemeProblem != null) {
      return schemeProblem;
    }
    if (!scheme.equals("file")) {
      if (uri.getHost() == null || uri.getHost().isEmpty()) {
        return "has no host";
      }
      String userInfo = uri.getRawUserInfo();
      if (userInfo != null && (userInfo.contains(":") || !scheme.equals("ssh"))) {
        return "must not embed credentials; put them in policy.auth";
      }
    }
    return null;
  }

  private String allowed(String scheme) {
    if (!allowedSchemes.contains(scheme)) {
      return "scheme '"
          + scheme
          + "' is not allowed (git.allowedSchemes: "
          + String.join(",", allowedSchemes.stream().sorted().toList())
          + ")";
    }
    return null;
  }
}
