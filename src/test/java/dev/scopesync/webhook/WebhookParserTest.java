package dev.scopesync.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class WebhookParserTest {
  private static final List<String> GITHUB_URLS =
      List.of(
          "https://github.com/octo-org/opa-policies.git",
          "git@github.com:octo-org/opa-policies.git",
          "git://github.com/octo-org/opa-policies.git",
          "https://github.com/octo-org/opa-policies");
  private static final List<String> GITHUB_NAMES = List.of("octo-org/opa-policies");
  private static final List<String> GITLAB_URLS =
      List.of(
          "git@gitlab.example.com:platform/authz/policies.git",
          "https://gitlab.example.com/platform/authz/policies.git",
          "https://gitlab.example.com/platform/authz/policies");
  private static final List<String> GITLAB_NAMES = List.of("platform/authz/policies");
  private static final String AZURE_REMOTE_URL =
      "https://fabrikam@dev.azure.com/fabrikam/Fabrikam%20Fiber/_git/Fabrikam-Policies";
  private static final List<String> BITBUCKET_URLS =
      List.of("https://bitbucket.org/acme-sec/opa-policies");
  private static final List<String> BITBUCKET_NAMES = List.of("acme-sec/opa-policies");

  static Stream<Arguments> fixtures() {
    return Stream.of(
        Arguments.of(
            "a GitHub push to a branch names every clone url, the full name and the branch",
            Map.of("x-github-event", "push"),
            "github-push.json",
            new PushEvent("github", true, "push", GITHUB_URLS, GITHUB_NAMES, List.of("main"))),
        Arguments.of(
            "a GitHub tag push is a push of no branch",
            Map.of("x-github-event", "push"),
            "github-push-tag.json",
            new PushEvent("github", true, "push", GITHUB_URLS, GITHUB_NAMES, List.of())),
        Arguments.of(
            "a GitHub branch deletion concerns the deleted branch",
            Map.of("x-github-event", "push"),
            "github-push-branch-deleted.json",
            new PushEvent(
                "github", true, "push", GITHUB_URLS, GITHUB_NAMES, List.of("release/2024-05"))),
        Arguments.of(
            "a GitHub ping is not a push and keeps its API url",
            Map.of("x-github-event", "ping"),
            "github-ping.json",
            new PushEvent(
                "github",
                false,
                "ping",
                List.of(
                    "https://github.com/octo-org/opa-policies.git",
                    "git@github.com:octo-org/opa-policies.git",
                    "git://github.com/octo-org/opa-policies.git",
                    "https://github.com/octo-org/opa-policies",
                    "https://api.github.com/repos/octo-org/opa-policies"),
                GITHUB_NAMES,
                List.of())),
        Arguments.of(
            "a GitHub organisation's ping names no repository and is still accepted",
            Map.of("x-github-event", "ping"),
            "github-ping-organization.json",
            new PushEvent("github", false, "ping", List.of(), List.of(), List.of())),
        Arguments.of(
            "a GitLab push names project and repository urls, the namespace path and the branch",
            Map.of("x-gitlab-event", "Push Hook", "x-gitlab-token", "s3cret"),
            "gitlab-push.json",
            new PushEvent(
                "gitlab", true, "Push Hook", GITLAB_URLS, GITLAB_NAMES, List.of("production"))),
        Arguments.of(
            "a GitLab tag push is a push of no branch",
            Map.of("x-gitlab-event", "Tag Push Hook"),
            "gitlab-tag-push.json",
            new PushEvent("gitlab", true, "Tag Push Hook", GITLAB_URLS, GITLAB_NAMES, List.of())),
        Arguments.of(
            "a GitLab system hook is a push when its payload says push",
            Map.of("x-gitlab-event", "System Hook"),
            "gitlab-system-hook-push.json",
            new PushEvent(
                "gitlab", true, "System Hook", GITLAB_URLS, GITLAB_NAMES, List.of("production"))),
        Arguments.of(
            "a GitLab merge request is not a push",
            Map.of("x-gitlab-event", "Merge Request Hook"),
            "gitlab-merge-request.json",
            new PushEvent(
                "gitlab", false, "Merge Request Hook", GITLAB_URLS, GITLAB_NAMES, List.of())),
        Arguments.of(
            "an Azure DevOps git.push is known by its payload and names the remote url and pushed branches",
            Map.of(),
            "azure-git-push.json",
            new PushEvent(
                "azure", true, "git.push", List.of(AZURE_REMOTE_URL), List.of(), List.of("main"))),
        Arguments.of(
            "an Azure DevOps pull request is not a push",
            Map.of(),
            "azure-pull-request-created.json",
            new PushEvent(
                "azure",
                false,
                "git.pullrequest.created",
                List.of(
                    AZURE_REMOTE_URL,
                    "git@ssh.dev.azure.com:v3/fabrikam/Fabrikam%20Fiber/Fabrikam-Policies",
                    "https://dev.azure.com/fabrikam/Fabrikam%20Fiber/_git/Fabrikam-Policies"),
                List.of(),
                List.of())),
        Arguments.of(
            "a Bitbucket Cloud push names branches updated or deleted, not tags",
            Map.of("x-event-key", "repo:push"),
            "bitbucket-push.json",
            new PushEvent(
                "bitbucket",
                true,
                "repo:push",
                BITBUCKET_URLS,
                BITBUCKET_NAMES,
                List.of("main", "feature/mfa"))),
        Arguments.of(
            "a Bitbucket Cloud pull request is not a push",
            Map.of("x-event-key", "pullrequest:created"),
            "bitbucket-pullrequest-created.json",
            new PushEvent(
                "bitbucket",
                false,
                "pullrequest:created",
                BITBUCKET_URLS,
                BITBUCKET_NAMES,
                List.of())),
        Arguments.of(
            "a Bitbucket Data Center push names both clone urls and project key/slug",
            Map.of("x-event-key", "repo:refs_changed"),
            "bitbucket-server-refs-changed.json",
            new PushEvent(
                "bitbucket",
                true,
                "repo:refs_changed",
                List.of(
                    "ssh://git@bitbucket.corp.example:7999/plat/authz-policies.git",
                    "https://bitbucket.corp.example/scm/plat/authz-policies.git"),
                List.of("PLAT/authz-policies"),
                List.of("master"))),
        Arguments.of(
            "a payload from an unrecognised sender is never a push",
            Map.of("user-agent", "curl/8.5.0"),
            "github-push.json",
            new PushEvent("unknown", false, "", GITHUB_URLS, GITHUB_NAMES, List.of())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void readsEachProvidersPayload(
      String behaviour, Map<String, String> headers, String fixture, PushEvent expected) {
    assertEquals(expected, WebhookParser.parse(headers, Fixtures.json(fixture)));
  }

  static Stream<Arguments> payloadsNamingNoRepository() {
    return Stream.of(
        Arguments.of(
            "a GitHub push whose repository has no url or name",
            Map.of("x-github-event", "push"),
            Fixtures.json("push-without-repository.json")),
        Arguments.of(
            "an Azure DevOps push without resource.repository",
            Map.of(),
            new JsonObject().put("eventType", "git.push").put("resource", new JsonObject())),
        Arguments.of("an empty object from an unknown sender", Map.of(), new JsonObject()),
        Arguments.of(
            "a non-push from an unknown sender",
            Map.of("x-gogs-event", "issues"),
            new JsonObject().put("action", "opened")));
  }

  @ParameterizedTest(name = "{0} is a 400")
  @MethodSource("payloadsNamingNoRepository")
  void rejectsPayloadsThatNameNoRepository(
      String behaviour, Map<String, String> headers, JsonObject body) {
    WebhookException e =
        assertThrows(WebhookException.class, () -> WebhookParser.parse(headers, body));
    assertEquals(400, e.status());
    assertEquals("repo url or full name not found in payload", e.getMessage());
  }

  @Test
  void aMissingBodyIsA400() {
    WebhookException e =
        assertThrows(WebhookException.class, () -> WebhookParser.parse(Map.of(), null));
    assertEquals(400, e.status());
    assertEquals("webhook body must be a JSON object", e.getMessage());
  }

  @Test
  void fieldsOfTheWrongTypeReadAsAbsentInsteadOfFailing() {
    JsonObject body =
        new JsonObject(
            """
        {"ref": 42,
         "repository": {"clone_url": 7, "ssh_url": ["x"], "git_url": "  ", "html_url": "https://github.com/o/r",
                        "full_name": {"owner": "o"}, "links": "none"},
         "project": "not an object",
         "resource": {"refUpdates": "nope", "repository": []},
         "push": {"changes": [null, 3, {"new": "x"}, {"new": {"type": "branch", "name": 5}}]},
         "changes": {"refId": "refs/heads/main"}}""");
    assertEquals(
        new PushEvent(
            "github", true, "push", List.of("https://github.com/o/r"), List.of(), List.of()),
        WebhookParser.parse(Map.of("x-github-event", "push"), body));
  }

  @Test
  void headerValuesAndPayloadStringsAreStripped() {
    JsonObject body =
        new JsonObject()
            .put("ref", " refs/heads/main ")
            .put(
                "repository",
                new JsonObject()
                    .put("clone_url", " https://github.com/o/r.git\n")
                    .put("full_name", "o/r "));
    assertEquals(
        new PushEvent(
            "github",
            true,
            "push",
            List.of("https://github.com/o/r.git"),
            List.of("o/r"),
            List.of("main")),
        WebhookParser.parse(Map.of("x-github-event", " push "), body));
  }

  @Test
  void refsOtherThanBranchesNameNoBranchButABareNameDoes() {
    assertEquals(List.of(), branchesOf("refs/pull/7/head"));
    assertEquals(List.of(), branchesOf("refs/heads/"));
    assertEquals(List.of("main"), branchesOf("main"));
    assertEquals(List.of("refs-are/odd"), branchesOf("refs/heads/refs-are/odd"));
  }

  private static List<String> branchesOf(String ref) {
    JsonObject body =
        new JsonObject()
            .put("ref", ref)
            .put("repository", new JsonObject().put("full_name", "o/r"));
    return WebhookParser.parse(Map.of("x-github-event", "push"), body).branches();
  }
}
