package dev.scopesync.git.transport;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.jgit.transport.SshConfigStore;
import org.eclipse.jgit.transport.SshConstants;

/**
 * The ssh settings of every host for one operation, in place of {@code ~/.ssh/config}: strict host
 * key checking, one connection attempt, the scope's user name when the url has none (JGit prefers
 * the url's).
 */
final class FixedHostConfig implements SshConfigStore, SshConfigStore.HostConfig {
  private final Map<String, String> options = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

  FixedHostConfig(String user) {
    options.put(SshConstants.STRICT_HOST_KEY_CHECKING, SshConstants.YES);
    options.put(SshConstants.CONNECTION_ATTEMPTS, "1");
    if (user != null) {
      options.put(SshConstants.USER, user);
    }
  }

  @Override
  public HostConfig lookup(String hostName, int port, String userName) {
    return this;
  }

  @Override
  public HostConfig lookupDefault(String hostName, int port, String userName) {
    return this;
  }

  @Override
  public String getValue(String key) {
    return options.get(key);
  }

  @Override
  public List<String> getValues(String key) {
    String value = options.get(key);
    return value == null ? List.of() : List.of(value);
  }

  @Override
  public Map<String, String> getOptions() {
    return Map.copyOf(options);
  }

  @Override
  public Map<String, List<String>> getMultiValuedOptions() {
    return Map.of();
  }
}
