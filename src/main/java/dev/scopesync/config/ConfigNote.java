package dev.scopesync.config;

/**
 * A line the configuration asks to be logged at start (an OPAL variable read, overridden or not
 * supported), once logging is set up. {@code warning} lines go out at WARN, the others at INFO.
 */
public record ConfigNote(boolean warning, String text) {
  static ConfigNote info(String text) {
    return new ConfigNote(false, text);
  }

  static ConfigNote warn(String text) {
    return new ConfigNote(true, text);
  }
}
