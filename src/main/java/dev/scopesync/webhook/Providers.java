package dev.scopesync.webhook;

/** The values of {@link PushEvent#provider()}: which git host sent a webhook. */
public final class Providers {
  public static final String GITHUB = "github";
  public static final String GITLAB = "gitlab";
  public static final String AZURE = "azure";
  public static final String BITBUCKET = "bitbucket";

  /** No header or payload field said who sent it; such an event is never a push. */
  public static final String UNKNOWN = "unknown";

  private Providers() {}
}
