package dev.scopesync.webhook;

/**
 * The request headers webhooks are recognised and authenticated by, in lower case: the parser and
 * the signature check take header maps keyed by lower-case names.
 */
public final class WebhookHeaders {
  /** GitHub's event name ({@code push}, {@code ping}, …); Gitea and Forgejo send it too. */
  public static final String GITHUB_EVENT = "x-github-event";

  /** GitLab's event name ({@code Push Hook}, {@code Tag Push Hook}, {@code System Hook}, …). */
  public static final String GITLAB_EVENT = "x-gitlab-event";

  /** Bitbucket's event key: {@code repo:push} (Cloud), {@code repo:refs_changed} (Data Center). */
  public static final String BITBUCKET_EVENT = "x-event-key";

  /** {@code sha256=<hex>}: HMAC-SHA256 of the raw body (GitHub). */
  public static final String HUB_SIGNATURE_256 = "x-hub-signature-256";

  /** {@code sha256=<hex>} from Bitbucket; GitHub's legacy {@code sha1=<hex>} is refused. */
  public static final String HUB_SIGNATURE = "x-hub-signature";

  /** The shared secret itself, sent as is (GitLab). */
  public static final String GITLAB_TOKEN = "x-gitlab-token";

  private WebhookHeaders() {}
}
