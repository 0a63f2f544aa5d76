package dev.scopesync.bundle;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scopesync.signing.BundleFile;
import dev.scopesync.signing.BundleSigner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes a full policy bundle as a stock OPA bundle: a gzipped tar holding {@code /.manifest}
 * ({@code {"revision": <commit>, "roots": [...]}}, roots as {@link OpaRoots} derives them) and each
 * {@code .rego} and {@code data.json} of the bundle at its repository path, in manifest order, and
 * nothing else; with a signer, {@code /.signatures.json} too (DESIGN §16).
 *
 * <p>The output depends on the bundle only: entries carry a fixed time, owner and mode, and gzip
 * writes no time or name, so the same commit always gives the same bytes (and the same ETag).
 */
public final class OpaBundleWriter {

  static final String MANIFEST_ENTRY = "/.manifest";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final FileTime FIXED_TIME = FileTime.fromMillis(0);
  private static final int FILE_MODE = 0100644;

  private OpaBundleWriter() {}

  public static byte[] write(PolicyBundle fullBundle) throws IOException {
    return write(fullBundle, null);
  }

  /**
   * @param signer when not null, {@code /.signatures.json} is written first, signing every other
   *     file exactly as written (DESIGN §16)
   */
  public static byte[] write(PolicyBundle fullBundle, BundleSigner signer) throws IOException {
    if (fullBundle.isDiff()) {
      throw new IllegalArgumentException(
          "an OPA bundle is made from a full bundle, not a diff from " + fullBundle.oldHash());
    }
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("revision", fullBundle.hash());
    manifest.put("roots", OpaRoots.of(fullBundle));

    List<BundleFile> files = new ArrayList<>();
    files.add(new BundleFile(MANIFEST_ENTRY, JSON.writeValueAsBytes(manifest)));
    for (Map.Entry<String, String> file : filesInManifestOrder(fullBundle).entrySet()) {
      files.add(
          new BundleFile("/" + file.getKey(), file.getValue().getBytes(StandardCharsets.UTF_8)));
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar =
        new TarArchiveOutputStream(new GZIPOutputStream(bytes), StandardCharsets.UTF_8.name())) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      tar.setAddPaxHeadersForNonAsciiNames(true);
      if (signer != null) {
        add(tar, BundleSigner.SIGNATURES_ENTRY, signer.signaturesFile(files));
      }
      for (BundleFile file : files) {
        add(tar, file.name(), file.content());
      }
    }
    return bytes.toByteArray();
  }

  /**
   * Repository path to text of every module, manifest order first, then any module the manifest
   * misses.
   */
  private static Map<String, String> filesInManifestOrder(PolicyBundle bundle) {
    Map<String, String> byPath = new LinkedHashMap<>();
    for (PolicyBundle.PolicyModule module : bundle.policyModules()) {
      byPath.put(module.path(), module.rego());
    }
    for (PolicyBundle.DataModule module : bundle.dataModules()) {
      byPath.put(PythonPath.join(module.path(), BundleFileRule.DATA_FILE_NAME), module.data());
    }
    Map<String, String> ordered = new LinkedHashMap<>();
    for (String path : bundle.manifest()) {
      String text = byPath.remove(path);
      if (text != null) {
        ordered.put(path, text);
      }
    }
    ordered.putAll(byPath);
    return ordered;
  }

  private static void add(TarArchiveOutputStream tar, String name, byte[] content)
      throws IOException {
    // preserveAbsolutePath: keep the leading '/' that `opa build` writes.
    TarArchiveEntry entry = new TarArchiveEntry(name, true);
    entry.setSize(content.length);
    entry.setMode(FILE_MODE);
    entry.setLastModifiedTime(FIXED_TIME);
    entry.setUserId(0);
    entry.setGroupId(0);
    entry.setUserName("");
    entry.setGroupName("");
    tar.putArchiveEntry(entry);
    tar.write(content);
    tar.closeArchiveEntry();
  }
}
