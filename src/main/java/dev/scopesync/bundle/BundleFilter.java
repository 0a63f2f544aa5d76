package dev.scopesync.bundle;

import java.util.List;

/** PLACEHOLDER until the bundle branch merges. */
public record BundleFilter(List<String> directories, List<String> extensions, String manifestPath,
                           List<String> bundleIgnore) {
  public String fingerprint() {
    return String.join(",", directories) + "|" + String.join(",", extensions) + "|" + manifestPath + "|"
        + (bundleIgnore == null ? "" : String.join(",", bundleIgnore));
  }
}
