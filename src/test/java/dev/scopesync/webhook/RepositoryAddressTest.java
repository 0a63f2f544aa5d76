package dev.scopesync.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RepositoryAddressTest {
  static Stream<Arguments> urls() {
    return Stream.of(
        Arguments.of("https with .git", "https://github.com/o/r.git", "github.com", "o/r"),
        Arguments.of(
            "scheme, credentials and port dropped",
            "https://u:p@Git.Example.com:8443/o/r/",
            "git.example.com",
            "o/r"),
        Arguments.of(
            "ssh with user and port",
            "ssh://git@gitlab.com:22/g/sub/r.git",
            "gitlab.com",
            "g/sub/r"),
        Arguments.of("scp-like", "git@github.com:o/r.git", "github.com", "o/r"),
        Arguments.of("scp-like without user", "github.com:o/r", "github.com", "o/r"),
        Arguments.of(
            "scp-like with an absolute path", "git@host:/srv/git/r.git", "host", "srv/git/r"),
        Arguments.of("git protocol", "git://github.com/o/r.git", "github.com", "o/r"),
        Arguments.of("query and fragment dropped", "https://h/o/r.git?x=1#y", "h", "o/r"),
        Arguments.of("doubled slashes collapsed", "https://h//o//r.git//", "h", "o/r"),
        Arguments.of(".git in any case dropped", "https://h/o/r.GIT", "h", "o/r"),
        Arguments.of(
            "IPv6 literal kept with brackets",
            "ssh://git@[2001:db8::1]:2222/o/r.git",
            "[2001:db8::1]",
            "o/r"),
        Arguments.of(
            "GitHub's ssh-over-443 host",
            "ssh://git@ssh.github.com:443/o/r.git",
            "github.com",
            "o/r"),
        Arguments.of(
            "Azure DevOps ssh",
            "git@ssh.dev.azure.com:v3/org/My%20Project/repo",
            "dev.azure.com",
            "org/My%20Project/_git/repo"),
        Arguments.of(
            "Azure DevOps legacy ssh",
            "org@vs-ssh.visualstudio.com:v3/org/proj/repo",
            "dev.azure.com",
            "org/proj/_git/repo"),
        Arguments.of(
            "Azure DevOps legacy https with collection",
            "https://org.visualstudio.com/DefaultCollection/proj/_git/repo",
            "dev.azure.com",
            "org/proj/_git/repo"),
        Arguments.of(
            "Azure DevOps legacy https",
            "https://org.visualstudio.com/proj/_git/repo",
            "dev.azure.com",
            "org/proj/_git/repo"));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("urls")
  void reducesAUrlToHostAndPath(String behaviour, String url, String host, String path) {
    assertEquals(Optional.of(new RepositoryAddress(host, path)), RepositoryAddress.parse(url));
  }

  static Stream<Arguments> notRepositories() {
    return Stream.of(
        Arguments.of("null", null),
        Arguments.of("blank", "  "),
        Arguments.of("words", "not a url"),
        Arguments.of("a host with no path", "https://github.com/"),
        Arguments.of("only .git", "https://github.com/.git"),
        Arguments.of("a bad scheme", "1http://h/o/r"),
        Arguments.of("a relative path", "o/r"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("notRepositories")
  void isEmptyForWhatNamesNoRepository(String behaviour, String url) {
    assertEquals(Optional.empty(), RepositoryAddress.parse(url));
  }
}
