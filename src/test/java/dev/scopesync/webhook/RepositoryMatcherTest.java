package dev.scopesync.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RepositoryMatcherTest {
  private static final String CLONE = "https://github.com/octo-org/opa-policies.git";
  private static final String HTML = "https://github.com/octo-org/opa-policies";
  private static final String SSH = "git@github.com:octo-org/opa-policies.git";
  private static final String AZURE_REMOTE =
      "https://fabrikam@dev.azure.com/fabrikam/Fabrikam%20Fiber/_git/Fabrikam-Policies";

  private static Arguments row(
      String behaviour, String scopeUrl, List<String> urls, List<String> names, boolean expected) {
    return Arguments.of(behaviour, scopeUrl, urls, names, expected);
  }

  static Stream<Arguments> rows() {
    List<String> none = List.of();
    return Stream.of(
        row("the same https url", CLONE, List.of(CLONE), none, true),
        row("scope without .git, event with", HTML, List.of(CLONE), none, true),
        row("scope with .git, event without", CLONE, List.of(HTML), none, true),
        row("a trailing slash", HTML + "/", List.of(CLONE), none, true),
        row(".git followed by slashes", CLONE + "//", List.of(HTML), none, true),
        row(
            "http against https",
            "http://github.com/octo-org/opa-policies",
            List.of(CLONE),
            none,
            true),
        row(
            "ssh url with user and port against https",
            "ssh://git@github.com:22/octo-org/opa-policies.git",
            List.of(HTML),
            none,
            true),
        row("scp-like scope against https event", SSH, List.of(HTML), none, true),
        row("https scope against scp-like event", HTML, List.of(SSH), none, true),
        row(
            "git:// scope against https event",
            "git://github.com/octo-org/opa-policies.git",
            List.of(CLONE),
            none,
            true),
        row(
            "host in other case",
            "https://GitHub.COM/octo-org/opa-policies",
            List.of(CLONE),
            none,
            true),
        row(
            "path in other case (hosts resolve paths case-insensitively)",
            "https://github.com/Octo-Org/OPA-Policies.git",
            List.of(CLONE),
            none,
            true),
        row(
            "credentials in the scope url",
            "https://x-access-token:ghp_abc@github.com/octo-org/opa-policies.git",
            List.of(HTML),
            none,
            true),
        row(
            "a user in the event url (Azure remoteUrl)",
            "https://dev.azure.com/fabrikam/Fabrikam%20Fiber/_git/Fabrikam-Policies",
            List.of(AZURE_REMOTE),
            none,
            true),
        row(
            "a port only one side has",
            "https://git.example.com:8443/org/repo.git",
            List.of("https://git.example.com/org/repo"),
            none,
            true),
        row("query and fragment", CLONE + "?ref=main#readme", List.of(HTML), none, true),
        row(
            "one of several event urls",
            HTML,
            List.of("https://api.github.com/repos/octo-org/opa-policies", SSH),
            none,
            true),
        row(
            "a different owner",
            "https://github.com/other-org/opa-policies.git",
            List.of(CLONE, SSH),
            none,
            false),
        row(
            "a different host",
            "https://gitlab.com/octo-org/opa-policies.git",
            List.of(CLONE, SSH),
            none,
            false),
        row(
            "a longer name is not the same repository",
            "https://github.com/octo-org/opa-policies2",
            List.of(CLONE),
            none,
            false),
        row(
            "a shorter name is not the same repository",
            "https://github.com/octo-org/opa",
            List.of(CLONE),
            none,
            false),
        row(
            "the owner alone is not the repository",
            "https://github.com/octo-org",
            List.of(CLONE),
            none,
            false),
        row(
            "a deeper path is not the repository",
            "https://github.com/octo-org/opa-policies/rbac",
            List.of(CLONE),
            none,
            false),
        row(
            "the full name on the scope's host",
            "https://bitbucket.org/acme-sec/opa-policies.git",
            none,
            List.of("acme-sec/opa-policies"),
            true),
        row(
            "the full name against an scp-like scope",
            "git@bitbucket.org:acme-sec/opa-policies.git",
            none,
            List.of("acme-sec/opa-policies"),
            true),
        row(
            "a bare full name does not reach a same-named repository on another host (DESIGN §13)",
            "https://gitlab.internal/platform/authz/policies.git",
            List.of("https://gitlab.example.com/platform/authz/policies.git"),
            List.of("platform/authz/policies"),
            false),
        row(
            "the full name on the host the urls name",
            "https://github.com/octo-org/opa-policies.git",
            List.of("https://github.com/octo-org/renamed-repo"),
            List.of("octo-org/opa-policies"),
            true),
        row(
            "a github.com push does not refresh a same-named repository elsewhere",
            "https://git.corp.example/octo-org/opa-policies.git",
            List.of(CLONE, SSH),
            List.of("octo-org/opa-policies"),
            false),
        row(
            "a full name that is a prefix of the scope's path",
            "https://github.com/org/repo2",
            none,
            List.of("org/repo"),
            false),
        row(
            "a full name that is a suffix of the scope's path",
            "https://bitbucket.corp.example/scm/org/repo.git",
            none,
            List.of("org/repo"),
            false),
        row(
            "a GitLab subgroup path",
            "git@gitlab.example.com:platform/authz/policies.git",
            none,
            List.of("platform/authz/policies"),
            true),
        row(
            "a GitLab parent group is not the project",
            "git@gitlab.example.com:platform/authz.git",
            none,
            List.of("platform/authz/policies"),
            false),
        row(
            "Bitbucket Data Center http scope against its ssh and http clone links",
            "https://bitbucket.corp.example/scm/PLAT/authz-policies.git",
            List.of(
                "ssh://git@bitbucket.corp.example:7999/plat/authz-policies.git",
                "https://bitbucket.corp.example/scm/plat/authz-policies.git"),
            List.of("PLAT/authz-policies"),
            true),
        row(
            "Bitbucket Data Center ssh scope by project key and slug",
            "ssh://git@bitbucket.corp.example:7999/plat/authz-policies.git",
            none,
            List.of("PLAT/authz-policies"),
            true),
        row(
            "Azure DevOps ssh scope against the https remoteUrl",
            "git@ssh.dev.azure.com:v3/fabrikam/Fabrikam%20Fiber/Fabrikam-Policies",
            List.of(AZURE_REMOTE),
            none,
            true),
        row(
            "Azure DevOps legacy visualstudio.com scope against the remoteUrl",
            "https://fabrikam.visualstudio.com/DefaultCollection/Fabrikam%20Fiber/_git/Fabrikam-Policies",
            List.of(AZURE_REMOTE),
            none,
            true),
        row(
            "Azure DevOps another repository of the same project",
            "git@ssh.dev.azure.com:v3/fabrikam/Fabrikam%20Fiber/Fabrikam-Data",
            List.of(AZURE_REMOTE),
            none,
            false),
        row(
            "GitHub's ssh-over-443 host",
            "ssh://git@ssh.github.com:443/octo-org/opa-policies.git",
            List.of(CLONE),
            none,
            true),
        row(
            "IPv6 hosts",
            "ssh://git@[2001:db8::1]:2222/org/repo.git",
            List.of("https://[2001:db8::1]/org/repo"),
            none,
            true),
        row(
            "a scope url that is no url",
            "not a url",
            List.of(CLONE),
            List.of("octo-org/opa-policies"),
            false),
        row("an event url that is no url", HTML, List.of("n/a"), none, false),
        row("an event that names nothing", HTML, none, none, false));
  }

  @ParameterizedTest(name = "{0}: {4}")
  @MethodSource("rows")
  void matchesTheScopesRepository(
      String behaviour, String scopeUrl, List<String> urls, List<String> names, boolean expected) {
    PushEvent event = new PushEvent("github", true, "push", urls, names, List.of("main"));
    assertEquals(expected, RepositoryMatcher.matches(scopeUrl, event));
  }

  @Test
  void eachProvidersFixtureMatchesItsOwnRepositoryOverSshAndHttps() {
    Map<String, List<String>> scopeUrlsByFixture =
        Map.of(
            "github-push.json", List.of(SSH, HTML),
            "gitlab-push.json",
                List.of(
                    "ssh://git@gitlab.example.com/platform/authz/policies.git",
                    "https://gitlab.example.com/platform/authz/policies"),
            "azure-git-push.json",
                List.of(
                    "git@ssh.dev.azure.com:v3/fabrikam/Fabrikam%20Fiber/Fabrikam-Policies",
                    "https://dev.azure.com/fabrikam/Fabrikam%20Fiber/_git/Fabrikam-Policies"),
            "bitbucket-push.json",
                List.of(
                    "git@bitbucket.org:acme-sec/opa-policies.git",
                    "https://bitbucket.org/acme-sec/opa-policies.git"));
    Map<String, Map<String, String>> headers =
        Map.of(
            "github-push.json", Map.of("x-github-event", "push"),
            "gitlab-push.json", Map.of("x-gitlab-event", "Push Hook"),
            "azure-git-push.json", Map.of(),
            "bitbucket-push.json", Map.of("x-event-key", "repo:push"));
    scopeUrlsByFixture.forEach(
        (fixture, scopeUrls) -> {
          PushEvent event = WebhookParser.parse(headers.get(fixture), Fixtures.json(fixture));
          for (String scopeUrl : scopeUrls) {
            assertEquals(
                true, RepositoryMatcher.matches(scopeUrl, event), fixture + " vs " + scopeUrl);
          }
          assertEquals(
              false,
              RepositoryMatcher.matches("https://example.com/someone/else.git", event),
              fixture);
        });
  }
}
