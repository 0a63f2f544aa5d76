package dev.scopesync.validation;

/** Test keys shared by tests in other packages. */
public final class ScopeParserTestKeys {
  public static final String OPENSSH_KEY = ScopeParserTest.OPENSSH_KEY;

  private ScopeParserTestKeys() {}
}
