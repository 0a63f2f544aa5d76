package dev.scopesync.scope;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded store: one JSON file per scope under {@code store.dir}, named by the
 * SHA-256 of the scope id (ids may hold characters no file system accepts). A write goes
 * to a temporary file, is forced to disk and renamed over the old one, so a crash leaves
 * either the old or the new scope, never half of one. Reads are served from memory,
 * loaded once at {@link #open}. Disk work runs on a one-thread executor, which also keeps
 * writes of one scope in the order they were asked for.
 */
public final class FileScopeStore implements ScopeStore {
  private static final Logger LOG = LoggerFactory.getLogger(FileScopeStore.class);
  private static final String SUFFIX = ".json";

  private final Path dir;
  private final WorkerExecutor disk;
  private final Map<String, Scope> scopes = new ConcurrentHashMap<>();

  private FileScopeStore(Path dir, WorkerExecutor disk) {
    this.dir = dir;
    this.disk = disk;
  }

  /** Creates the directory if needed and loads every scope in it. */
  public static Future<ScopeStore> open(Vertx vertx, Path dir, ScopeParser parser) {
    WorkerExecutor disk = vertx.createSharedWorkerExecutor("scopesync-store-file", 1);
    FileScopeStore store = new FileScopeStore(dir, disk);
    return disk.executeBlocking(() -> {
      store.load(parser);
      return (ScopeStore) store;
    }).onFailure(e -> disk.close());
  }

  private void load(ScopeParser parser) throws IOException {
    Files.createDirectories(dir);
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      for (Path file : files) {
        try {
          Scope scope = parser.parse(new JsonObject(Files.readString(file)));
          scopes.put(scope.scopeId(), scope);
        } catch (RuntimeException e) {
          LOG.error("skipping unreadable scope file {}: {}", file, e.getMessage());
        }
      }
    }
    LOG.info("file store {}: {} scopes loaded", dir, scopes.size());
  }

  @Override
  public Future<Scope> get(String scopeId) {
    return Future.succeededFuture(scopes.get(scopeId));
  }

  @Override
  public Future<List<Scope>> all() {
    return Future.succeededFuture(new ArrayList<>(scopes.values()));
  }

  @Override
  public Future<Scope> put(Scope scope) {
    byte[] body = scope.toStoredJson().encode().getBytes(StandardCharsets.UTF_8);
    return disk.executeBlocking(() -> {
      writeAtomically(fileOf(scope.scopeId()), body);
      return scopes.put(scope.scopeId(), scope);
    }).recover(this::unavailable);
  }

  @Override
  public Future<Scope> delete(String scopeId) {
    return disk.executeBlocking(() -> {
      Files.deleteIfExists(fileOf(scopeId));
      return scopes.remove(scopeId);
    }).recover(this::unavailable);
  }

  @Override
  public Future<Void> ping() {
    return disk.executeBlocking(() -> {
      if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
        throw new IOException("store directory " + dir + " is missing or not writable");
      }
      return null;
    }).<Void>mapEmpty().recover(this::unavailable);
  }

  @Override
  public Future<Void> close() {
    return disk.close();
  }

  private <T> Future<T> unavailable(Throwable e) {
    return Future.failedFuture(new StoreUnavailableException("file store " + dir + ": " + e.getMessage(), e));
  }

  private Path fileOf(String scopeId) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(scopeId.getBytes(StandardCharsets.UTF_8));
      return dir.resolve(HexFormat.of().formatHex(digest) + SUFFIX);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static void writeAtomically(Path target, byte[] body) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buffer = ByteBuffer.wrap(body);
      while (buffer.hasRemaining()) {
        out.write(buffer);
      }
      out.force(true);
    }
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
