package dev.scopesync.signing;

import java.util.Objects;

/**
 * One regular file of a bundle tar, as {@link BundleSigner} signs it.
 *
 * @param name the tar entry name; a leading {@code /} (as {@code opa build} and {@code
 *     OpaBundleWriter} write it) is dropped when signing, as OPA drops it when verifying
 * @param content the exact bytes stored in the tar; not copied, so do not change them afterwards
 */
public record BundleFile(String name, byte[] content) {

  public BundleFile {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(content, "content");
  }

  /** The name as OPA looks it up in the signature: without one leading {@code /}. */
  public String signedName() {
    return name.startsWith("/") ? name.substring(1) : name;
  }

  @Override
  public String toString() {
    return "BundleFile[" + name + ", " + content.length + " bytes]";
  }
}
