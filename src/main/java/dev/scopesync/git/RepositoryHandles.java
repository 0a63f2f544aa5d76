package dev.scopesync.git;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open {@link Repository} handles, keyed by source id: the one owner that closes them. Bounded:
 * beyond {@code maxOpen} the least recently used idle handle is closed (it is reopened on demand).
 * A handle in use ({@link Lease} not yet closed) is never closed under its user; a dropped handle
 * still leased is closed when its last lease ends.
 *
 * <p>Repositories are opened with {@link FileRepositoryBuilder}, not JGit's {@code
 * RepositoryCache}, which would keep pack files open after {@code close()}. Thread-safe: leases are
 * taken and returned on git worker threads.
 */
public final class RepositoryHandles {
  private static final Logger LOG = LoggerFactory.getLogger(RepositoryHandles.class);

  /** Opens the repository of a clone directory (replaceable so tests can inject a faulty close). */
  public interface Opener {
    Repository open(Path cloneDir) throws IOException;
  }

  public static final Opener FILE_OPENER =
      cloneDir ->
          new FileRepositoryBuilder()
              .setGitDir(cloneDir.resolve(".git").toFile())
              .setMustExist(true)
              .build();

  private static final class Handle {
    final Repository repository;
    int leases;
    boolean dropped;

    Handle(Repository repository) {
      this.repository = repository;
    }
  }

  private final Opener opener;
  private final int maxOpen;
  private final LinkedHashMap<String, Handle> handles = new LinkedHashMap<>(16, 0.75f, true);

  public RepositoryHandles(Opener opener, int maxOpen) {
    this.opener = opener;
    this.maxOpen = maxOpen;
  }

  /** Borrows the repository of a clone, opening it when needed. Close the lease when done. */
  public Lease lease(String sourceId, Path cloneDir) throws IOException {
    synchronized (this) {
      Handle handle = handles.get(sourceId);
      if (handle != null) {
        handle.leases++;
        return new Lease(sourceId, handle);
      }
    }
    // Opening reads the config and ref database: done outside the lock.
    Repository opened = opener.open(cloneDir);
    synchronized (this) {
      Handle handle = handles.get(sourceId);
      if (handle == null && !Files.isDirectory(cloneDir.resolve(".git"))) {
        // Purged while we were opening it: do not bring the handle back.
        closeQuietly(sourceId, opened);
        throw new IOException("clone " + cloneDir + " was removed");
      }
      if (handle == null) {
        handle = new Handle(opened);
        handles.put(sourceId, handle);
      } else {
        closeQuietly(sourceId, opened);
      }
      handle.leases++;
      evictIdleBeyondLimit();
      return new Lease(sourceId, handle);
    }
  }

  /**
   * Closes and forgets a source's handle (now, or when its last lease ends); answers whether there
   * was one.
   */
  public boolean drop(String sourceId) {
    Handle handle;
    synchronized (this) {
      handle = handles.remove(sourceId);
      if (handle == null) {
        return false;
      }
      handle.dropped = true;
      if (handle.leases > 0) {
        return true;
      }
    }
    closeQuietly(sourceId, handle.repository);
    return true;
  }

  public synchronized int size() {
    return handles.size();
  }

  synchronized boolean isOpen(String sourceId) {
    return handles.containsKey(sourceId);
  }

  /** Closes every handle; for shutdown, after the queues drained. */
  public void closeAll() {
    for (String sourceId : snapshotIds()) {
      drop(sourceId);
    }
  }

  private synchronized java.util.List<String> snapshotIds() {
    return java.util.List.copyOf(handles.keySet());
  }

  private void release(String sourceId, Handle handle) {
    boolean close;
    synchronized (this) {
      handle.leases--;
      close = handle.dropped && handle.leases == 0;
      if (!close) {
        evictIdleBeyondLimit();
      }
    }
    if (close) {
      closeQuietly(sourceId, handle.repository);
    }
  }

  /** Caller holds the lock. Closing a repository is quick (it releases pack files). */
  private void evictIdleBeyondLimit() {
    Iterator<Map.Entry<String, Handle>> eldestFirst = handles.entrySet().iterator();
    while (handles.size() > maxOpen && eldestFirst.hasNext()) {
      Map.Entry<String, Handle> entry = eldestFirst.next();
      if (entry.getValue().leases == 0) {
        eldestFirst.remove();
        closeQuietly(entry.getKey(), entry.getValue().repository);
      }
    }
  }

  /** A failing close must not keep the entry alive or escape to the caller (DESIGN §4). */
  private static void closeQuietly(String sourceId, Repository repository) {
    try {
      repository.close();
    } catch (RuntimeException e) {
      LOG.warn(
          "source_id={} closing the repository failed; handle dropped anyway: {}",
          sourceId,
          e.toString());
    }
  }

  /** A borrowed repository; closing the lease returns it, it never closes the repository itself. */
  public final class Lease implements AutoCloseable {
    private final String sourceId;
    private final Handle handle;
    private boolean closed;

    private Lease(String sourceId, Handle handle) {
      this.sourceId = sourceId;
      this.handle = handle;
    }

    public Repository repository() {
      return handle.repository;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        release(sourceId, handle);
      }
    }
  }
}
