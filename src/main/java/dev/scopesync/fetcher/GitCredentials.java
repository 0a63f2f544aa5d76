package dev.scopesync.fetcher;

import dev.scopesync.scope.GitAuth;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

/**
 * Credentials for one clone or fetch, built per operation from the scope's auth, so a
 * secret lives only as long as the operation and is never written into a clone's config.
 */
final class GitCredentials {
  private GitCredentials() {}

  /** @return the provider, or null when the remote needs none */
  static CredentialsProvider of(GitAuth auth) {
    if (auth instanceof GitAuth.GithubToken token) {
      // GitHub accepts any user name with a token as the password; OPAL sends "git".
      return new UsernamePasswordCredentialsProvider("git", token.token());
    }
    if (auth instanceof GitAuth.UserPass userPass) {
      return new UsernamePasswordCredentialsProvider(userPass.username(), userPass.password());
    }
    return null;
  }
}
