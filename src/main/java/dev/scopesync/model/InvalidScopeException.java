package dev.scopesync.model;

/**
 * A scope document that breaks DESIGN §5 validation; {@link #getMessage()} starts with the field.
 */
public final class InvalidScopeException extends RuntimeException implements CodedFailure {
  private final String field;

  public InvalidScopeException(String field, String problem) {
    super(field + ": " + problem);
    this.field = field;
  }

  public String field() {
    return field;
  }

  @Override
  public int status() {
    return 422;
  }
}
