package dev.scopesync.git;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.eclipse.jgit.lib.Repository;

/**
 * The local branch in which a scope remembers the last commit it saw in a shared clone: {@code
 * refs/heads/scopes/<scope_id>}, or {@code scopes/<hex of UTF-8>} when the id is not a valid ref
 * name (OPAL's rule).
 */
final class ScopeRef {
  private ScopeRef() {}

  static String of(String scopeId) {
    String plain = "refs/heads/scopes/" + scopeId;
    if (Repository.isValidRefName(plain)) {
      return plain;
    }
    return "refs/heads/scopes/"
        + HexFormat.of().formatHex(scopeId.getBytes(StandardCharsets.UTF_8));
  }
}
