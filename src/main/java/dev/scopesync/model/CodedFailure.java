package dev.scopesync.model;

/**
 * An exception that stands for one status of DESIGN §6 (a scope that breaks validation: 422; the
 * store down: 503). The package that throws it declares the status, so the one mapper of failures
 * ({@code bus.Failures}) needs to know none of their classes.
 */
public interface CodedFailure {
  int status();
}
