package dev.scopesync.webhook;

import java.util.Locale;
import java.util.Map;

/**
 * One canonical address for public git hosts that publish a repository under several: the
 * alternative ssh hosts of GitHub, GitLab and Bitbucket, and Azure DevOps, whose ssh urls ({@code
 * git@ssh.dev.azure.com:v3/org/project/repo}) and legacy {@code org.visualstudio.com} urls differ
 * in host and path from the {@code remoteUrl} ({@code https://dev.azure.com/org/project/_git/repo})
 * its push hook reports. Without this, a scope cloned over ssh would never be refreshed by its
 * host's webhook.
 */
final class KnownHosts {
  private static final String AZURE = "dev.azure.com";
  private static final Map<String, String> HOST_ALIASES =
      Map.of(
          "ssh.github.com", "github.com",
          "www.github.com", "github.com",
          "altssh.gitlab.com", "gitlab.com",
          "altssh.bitbucket.org", "bitbucket.org");
  private static final String AZURE_SSH_V3 = "v3/";
  private static final String VISUALSTUDIO = ".visualstudio.com";
  private static final String DEFAULT_COLLECTION = "defaultcollection/";

  private KnownHosts() {}

  static RepositoryAddress canonical(RepositoryAddress address) {
    String host = address.host();
    String path = address.path();
    String alias = HOST_ALIASES.get(host);
    if (alias != null) {
      return new RepositoryAddress(alias, path);
    }
    if (host.equals("ssh.dev.azure.com") || host.equals("vs-ssh" + VISUALSTUDIO)) {
      return azureSsh(address);
    }
    if (host.endsWith(VISUALSTUDIO) && host.indexOf('.') == host.length() - VISUALSTUDIO.length()) {
      // https://org.visualstudio.com[/DefaultCollection]/project/_git/repo
      String organisation = host.substring(0, host.length() - VISUALSTUDIO.length());
      String rest =
          path.toLowerCase(Locale.ROOT).startsWith(DEFAULT_COLLECTION)
              ? path.substring(DEFAULT_COLLECTION.length())
              : path;
      return new RepositoryAddress(AZURE, organisation + "/" + rest);
    }
    return address;
  }

  /** {@code v3/org/project/repo} → {@code dev.azure.com/org/project/_git/repo}. */
  private static RepositoryAddress azureSsh(RepositoryAddress address) {
    String path = address.path();
    if (!path.toLowerCase(Locale.ROOT).startsWith(AZURE_SSH_V3)) {
      return address;
    }
    String[] parts = path.substring(AZURE_SSH_V3.length()).split("/");
    if (parts.length != 3) {
      return address;
    }
    return new RepositoryAddress(AZURE, parts[0] + "/" + parts[1] + "/_git/" + parts[2]);
  }
}
