package dev.scopesync.store.file;

import dev.scopesync.store.ScopeStore;
import dev.scopesync.store.ScopeStoreConformanceTest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The store contract, on the embedded file store in a temporary directory. */
class FileScopeStoreConformanceTest extends ScopeStoreConformanceTest {
  @TempDir Path dir;

  @Override
  protected Future<ScopeStore> openStore(Vertx vertx) {
    return FileScopeStore.open(vertx, dir.resolve("scopes"), STORED);
  }
}
