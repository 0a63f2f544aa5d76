package dev.scopesync.bundle;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/**
 * A policy bundle in OPAL's shape: a full bundle ({@code oldHash} and {@code deletedFiles} null) or
 * a diff bundle from {@code oldHash} to {@code hash}. Immutable, so one instance can be cached and
 * served to many clients.
 *
 * @param manifest the load order of the bundle's files (for a diff: of its added and modified
 *     files)
 * @param hash the commit the bundle describes
 * @param oldHash the base commit of a diff bundle; {@code null} for a full bundle
 * @param dataModules {@code data.json} files, keyed by their directory
 * @param policyModules {@code .rego} files
 * @param deletedFiles what a diff removes; {@code null} when it removes nothing, and for a full
 *     bundle
 */
@JsonPropertyOrder({
  "manifest",
  "hash",
  "old_hash",
  "data_modules",
  "policy_modules",
  "deleted_files"
})
public record PolicyBundle(
    @JsonProperty("manifest") List<String> manifest,
    @JsonProperty("hash") String hash,
    @JsonProperty("old_hash") String oldHash,
    @JsonProperty("data_modules") List<DataModule> dataModules,
    @JsonProperty("policy_modules") List<PolicyModule> policyModules,
    @JsonProperty("deleted_files") DeletedFiles deletedFiles) {

  private static final ObjectMapper JSON = new ObjectMapper();

  // Rough JVM costs, for a byte-bounded cache: an object header with a few fields, a reference
  // slot in a list, a String's own header plus its array's header.
  private static final long OBJECT_OVERHEAD = 32;
  private static final long REFERENCE = 8;
  private static final long STRING_OVERHEAD = 40;

  public PolicyBundle {
    manifest = List.copyOf(manifest);
    dataModules = List.copyOf(dataModules);
    policyModules = List.copyOf(policyModules);
    if (hash == null) {
      throw new IllegalArgumentException("a bundle needs the hash of its commit");
    }
  }

  /**
   * A {@code data.json} file.
   *
   * @param path the file's directory, where OPA puts the data ({@code "."} at the root)
   * @param data the file's text
   */
  @JsonPropertyOrder({"path", "data"})
  public record DataModule(@JsonProperty("path") String path, @JsonProperty("data") String data) {}

  /**
   * A {@code .rego} file.
   *
   * @param path the file's path in the repository, which is the policy id in OPA
   * @param packageName the declared package as OPAL parses it, {@code ""} when none is found
   * @param rego the file's text
   */
  @JsonPropertyOrder({"path", "package_name", "rego"})
  public record PolicyModule(
      @JsonProperty("path") String path,
      @JsonProperty("package_name") String packageName,
      @JsonProperty("rego") String rego) {}

  /**
   * What a diff bundle removes.
   *
   * @param dataModules directories whose {@code data.json} is gone
   * @param policyModules paths of {@code .rego} files that are gone, dependents first
   */
  @JsonPropertyOrder({"data_modules", "policy_modules"})
  public record DeletedFiles(
      @JsonProperty("data_modules") List<String> dataModules,
      @JsonProperty("policy_modules") List<String> policyModules) {
    public DeletedFiles {
      dataModules = List.copyOf(dataModules);
      policyModules = List.copyOf(policyModules);
    }
  }

  /** Whether this is a diff bundle (it has a base commit). */
  @JsonIgnore
  public boolean isDiff() {
    return oldHash != null;
  }

  /**
   * OPAL's JSON: {@code manifest}, {@code hash}, {@code old_hash}, {@code data_modules}, {@code
   * policy_modules}, {@code deleted_files}, with nulls written out as OPAL writes them.
   */
  public byte[] toJson() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a policy bundle always serialises", e);
    }
  }

  /** Approximate retained size in bytes, for a byte-bounded cache. */
  public long sizeBytes() {
    long size = OBJECT_OVERHEAD + sizeOf(hash) + sizeOf(oldHash) + sizeOf(manifest);
    for (DataModule module : dataModules) {
      size += REFERENCE + OBJECT_OVERHEAD + sizeOf(module.path()) + sizeOf(module.data());
    }
    for (PolicyModule module : policyModules) {
      size +=
          REFERENCE
              + OBJECT_OVERHEAD
              + sizeOf(module.path())
              + sizeOf(module.packageName())
              + sizeOf(module.rego());
    }
    if (deletedFiles != null) {
      size +=
          OBJECT_OVERHEAD
              + sizeOf(deletedFiles.dataModules())
              + sizeOf(deletedFiles.policyModules());
    }
    return size;
  }

  private static long sizeOf(List<String> strings) {
    long size = OBJECT_OVERHEAD;
    for (String string : strings) {
      size += REFERENCE + sizeOf(string);
    }
    return size;
  }

  // Latin-1 strings take a byte per char, others two; two is the safe side for a cache bound.
  private static long sizeOf(String string) {
    return string == null ? 0 : STRING_OVERHEAD + 2L * string.length();
  }
}
