package dev.scopesync.webhook;

import static dev.scopesync.webhook.PayloadFields.object;
import static dev.scopesync.webhook.PayloadFields.objects;
import static dev.scopesync.webhook.PayloadFields.string;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads a git host's webhook into a {@link PushEvent}, as OPAL's {@code extracted_git_changes} does
 * but for every provider's shape at once: a payload is searched for all the places GitHub, GitLab,
 * Azure DevOps and Bitbucket (Cloud and Data Center) put the repository and the pushed refs,
 * whoever sent it, so GitHub-compatible senders (Gitea, Forgejo) work too. Stateless and
 * thread-safe.
 */
public final class WebhookParser {
  /** Address fields of a GitHub (and Gitea) or GitLab {@code repository} object. */
  private static final List<String> REPOSITORY_URL_FIELDS =
      List.of("clone_url", "ssh_url", "git_url", "html_url", "url", "git_http_url", "git_ssh_url");

  /** Address fields of a GitLab {@code project} object. */
  private static final List<String> GITLAB_PROJECT_URL_FIELDS =
      List.of("git_http_url", "git_ssh_url", "http_url", "ssh_url", "web_url", "url");

  /**
   * Address fields of an Azure DevOps {@code resource.repository}; its {@code url} is the REST
   * resource ({@code _apis/git/repositories/<guid>}), which names no clone, so it is left out.
   */
  private static final List<String> AZURE_REPOSITORY_URL_FIELDS =
      List.of("remoteUrl", "sshUrl", "webUrl");

  private WebhookParser() {}

  /**
   * @param headers lower-case header names to values
   * @param body the parsed JSON body
   * @throws WebhookException with status 400 when the payload names no repository at all; except
   *     for a recognised non-push event (a GitHub organisation's ping has no repository, and
   *     answering it 400 would mark the hook broken), which parses with empty lists
   */
  public static PushEvent parse(Map<String, String> headers, JsonObject body) {
    return parse(headers, body, null);
  }

  /**
   * @param params OPAL's {@code POLICY_REPO_WEBHOOK_PARAMS}: when given, they alone say whether the
   *     delivery is a push (OPAL's rule); null detects the git host from its headers
   */
  public static PushEvent parse(
      Map<String, String> headers, JsonObject body, WebhookParams params) {
    Objects.requireNonNull(headers, "headers");
    if (body == null) {
      throw new WebhookException(400, "webhook body must be a JSON object");
    }
    EventType type = EventType.of(headers, body);
    boolean push = params == null ? type.isPush() : params.isPush(headers, body);
    String name = params == null ? type.name() : params.eventName(headers, body);
    List<String> urls = repositoryUrls(body);
    List<String> names = fullNames(body);
    boolean excusedFromNamingARepository =
        !push && (params != null || !type.provider().equals(Providers.UNKNOWN));
    if (urls.isEmpty() && names.isEmpty() && !excusedFromNamingARepository) {
      throw new WebhookException(400, "repo url or full name not found in payload");
    }
    // Only a push pushed branches: a GitHub "create" event's bare "ref" is no branch update.
    List<String> branches = push ? branches(body) : List.of();
    return new PushEvent(type.provider(), push, name, urls, names, branches);
  }

  private static List<String> repositoryUrls(JsonObject body) {
    Set<String> urls = new LinkedHashSet<>();
    JsonObject repository = object(body, "repository");
    addAll(urls, repository, REPOSITORY_URL_FIELDS);
    add(urls, string(object(repository, "links", "html"), "href")); // Bitbucket Cloud
    for (JsonObject clone : objects(object(repository, "links"), "clone")) {
      add(urls, string(clone, "href")); // Bitbucket Data Center: ssh and http
    }
    addAll(urls, object(body, "project"), GITLAB_PROJECT_URL_FIELDS);
    addAll(urls, object(body, "resource", "repository"), AZURE_REPOSITORY_URL_FIELDS);
    return List.copyOf(urls);
  }

  private static List<String> fullNames(JsonObject body) {
    Set<String> names = new LinkedHashSet<>();
    JsonObject repository = object(body, "repository");
    String fullName = string(repository, "full_name"); // GitHub, Bitbucket Cloud
    add(names, fullName);
    add(names, string(object(body, "project"), "path_with_namespace")); // GitLab
    // Bitbucket Data Center has no full_name; its clone paths are <project key>/<slug>.
    String projectKey = string(object(repository, "project"), "key");
    String slug = string(repository, "slug");
    if (fullName == null && projectKey != null && slug != null) {
      names.add(projectKey + "/" + slug);
    }
    return List.copyOf(names);
  }

  private static List<String> branches(JsonObject body) {
    Set<String> branches = new LinkedHashSet<>();
    add(branches, RefNames.branchOf(string(body, "ref"))); // GitHub, GitLab
    for (JsonObject update : objects(object(body, "resource"), "refUpdates")) {
      add(branches, RefNames.branchOf(string(update, "name"))); // Azure DevOps
    }
    for (JsonObject change : objects(object(body, "push"), "changes")) {
      add(branches, bitbucketCloudBranch(change));
    }
    for (JsonObject change : objects(body, "changes")) {
      // Bitbucket Data Center
      String refId = string(change, "refId");
      add(branches, RefNames.branchOf(refId != null ? refId : string(object(change, "ref"), "id")));
    }
    return List.copyOf(branches);
  }

  /** The branch of a Bitbucket Cloud change: {@code new}, or {@code old} when it was deleted. */
  private static String bitbucketCloudBranch(JsonObject change) {
    JsonObject state = object(change, "new");
    if (state == null) {
      state = object(change, "old");
    }
    return "branch".equals(string(state, "type")) ? string(state, "name") : null;
  }

  private static void addAll(Set<String> into, JsonObject from, List<String> fields) {
    for (String field : fields) {
      add(into, string(from, field));
    }
  }

  private static void add(Set<String> into, String value) {
    if (value != null) {
      into.add(value);
    }
  }
}
