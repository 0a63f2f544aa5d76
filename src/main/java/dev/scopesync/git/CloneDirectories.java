package dev.scopesync.git;

import dev.scopesync.model.SourceId;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * The clone root, {@code <git.baseDir>/git_sources}, and what lives in it: one directory per source
 * id (OPAL's layout) and, while a clone is being made, a scratch directory whose name starts with
 * {@value #SCRATCH_PREFIX} (never a source id, so a sweep can tell them apart). Blocking: call from
 * a git worker.
 */
public final class CloneDirectories {
  static final String SCRATCH_PREFIX = ".clone-";

  private final Path root;

  public CloneDirectories(Path root) {
    this.root = root;
  }

  public Path of(String sourceId) {
    return root.resolve(sourceId);
  }

  /** Whether the source has a clone here (its {@code .git} directory). Blocking: a file check. */
  public boolean cloned(String sourceId) {
    return Files.isDirectory(of(sourceId).resolve(".git"));
  }

  Path newScratch(String sourceId) throws IOException {
    Files.createDirectories(root);
    return Files.createTempDirectory(
        root, SCRATCH_PREFIX + sourceId.substring(0, Math.min(12, sourceId.length())) + "-");
  }

  /** The directories here: source ids (names of the source-id shape), and how many others. */
  public record Listing(List<String> sources, int others) {}

  /** The source ids that have a directory here (only names of the source-id shape count). */
  public List<String> sourceDirectories() throws IOException {
    return list().sources();
  }

  /** One pass over the directories here. */
  public Listing list() throws IOException {
    List<String> ids = new ArrayList<>();
    int others = 0;
    if (!Files.isDirectory(root)) {
      return new Listing(ids, 0);
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, Files::isDirectory)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (SourceId.SHAPE.matcher(name).matches()) {
          ids.add(name);
        } else {
          others++;
        }
      }
    }
    return new Listing(ids, others);
  }

  /** Deletes every scratch directory; call only when no clone is running. */
  public int removeScratch() throws IOException {
    if (!Files.isDirectory(root)) {
      return 0;
    }
    int removed = 0;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, SCRATCH_PREFIX + "*")) {
      for (Path entry : entries) {
        deleteTree(entry);
        removed++;
      }
    }
    return removed;
  }

  /** Deletes a directory tree; a missing one is fine. */
  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            deleteIfExists(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            deleteIfExists(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  private static void deleteIfExists(Path p) throws IOException {
    try {
      Files.deleteIfExists(p);
    } catch (NoSuchFileException ignored) {
      // already gone
    }
  }
}
